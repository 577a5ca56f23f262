import path from 'node:path'
import { toAppError } from '@wms/shared/errors'
import type { PipelineTimeline } from '@wms/shared/pipeline/timeline'
import {
  createGitHubStatusClient,
  listDataBranches,
  listDatasetPairs,
  type GitHubStatusClient,
  type GitHubStatusClientOptions,
} from 'training-runner'
import { timelineFromGitHub, type GitHubTimelineInput } from './github-timeline.js'
import { datasetThumbPath } from './local-status-source.js'
import type { MlflowStatusReader } from './mlflow-status.js'
import type { PipelineStatusSource, StatusCredentials } from './status-source.js'

/** Options of {@link GitHubStatusSource}. */
export interface GitHubStatusSourceOptions {
  workspaceRoot: string
  datasetRoot: string
  /** `owner/name` (the workspace's `github.repo`). */
  repo: string
  /** The MLflow experiment the pipeline's training runs are recorded in. */
  experiment: string
  credentials: StatusCredentials
  tracking: MlflowStatusReader
  /** Newest data branches followed (default 20): older ones keep their last known state. */
  maxBranches?: number
  intervalMs?: number
  /** Builds the status client (tests pass one over a test server). */
  createClient?: (options: GitHubStatusClientOptions) => GitHubStatusClient
}

/**
 * The pipeline's status in a workspace whose pipeline runs in GitHub Actions: each data branch's workflow run
 * (jobs, steps, logs) and pull request from issue 16's status client — conditional requests, so an idle look costs
 * `304`s that GitHub does not count — and the training curves and the gate's verdict from MLflow. The token and
 * the API address come from the stored GitHub account, read at each look (a sign-in takes effect at once).
 */
export class GitHubStatusSource implements PipelineStatusSource {
  readonly kind = 'github' as const
  readonly label: string
  readonly intervalMs: number
  private client: { key: string; client: GitHubStatusClient } | undefined
  private last: string | undefined

  constructor(private readonly options: GitHubStatusSourceOptions) {
    this.label = `GitHub Actions (${options.repo}) + MLflow`
    this.intervalMs = options.intervalMs ?? 15_000
  }

  async poll(): Promise<PipelineTimeline[] | undefined> {
    const client = await this.statusClient()
    const branches = (await listDataBranches(this.options.workspaceRoot)).slice(0, this.options.maxBranches ?? 20)
    const thumbs = await this.thumbs()
    const timelines: PipelineTimeline[] = []
    for (const branch of branches) {
      const status = await client.branchStatus(branch.branch)
      const run = status.runs.find((candidate) => candidate.headSha === branch.commit) ?? status.runs[0]
      const mlflow = run === undefined ? {} : await this.fromMlflow(run.id)
      timelines.push(
        timelineFromGitHub({
          branch: branch.branch,
          commit: branch.commit,
          pushedAt: branch.committedAt,
          status,
          ...mlflow,
          thumb: (id) => thumbs.get(id) ?? null,
        }),
      )
    }
    // The requests were conditional; the answer is "unchanged" when nothing a timeline shows moved.
    const text = JSON.stringify(timelines)
    if (text === this.last) return undefined
    this.last = text
    return timelines
  }

  /**
   * What MLflow knows of a workflow run's training: its curves, the gate's verdict, the version it became. MLflow
   * out of reach (down, or refusing the login) still leaves GitHub's side to show, with the reason in the timeline.
   */
  private async fromMlflow(
    workflowRunId: number,
  ): Promise<Pick<GitHubTimelineInput, 'tracked' | 'verdict' | 'promotedVersion' | 'trackingProblem'>> {
    const tracking = this.options.tracking
    try {
      const runId = await tracking.runIdForWorkflowRun(this.options.experiment, workflowRunId)
      if (runId === undefined) return {}
      const tracked = await tracking.run(runId)
      const verdict = await tracking.gateVerdict(runId)
      const promotedVersion = verdict?.pass === true ? await tracking.registeredVersion(runId) : undefined
      return {
        tracked,
        ...(verdict === undefined ? {} : { verdict }),
        ...(promotedVersion === undefined ? {} : { promotedVersion }),
      }
    } catch (thrown) {
      return { trackingProblem: toAppError(thrown).message }
    }
  }

  private async statusClient(): Promise<GitHubStatusClient> {
    const account = await this.options.credentials.github()
    const key = JSON.stringify(account ?? null)
    if (this.client?.key !== key) {
      const create = this.options.createClient ?? createGitHubStatusClient
      this.client = {
        key,
        client: create({
          repo: this.options.repo,
          ...(account === undefined ? {} : { token: account.token, baseUrl: account.apiUrl }),
          // A status view waits for no rate limit: it says so and looks again later (the poller backs off).
          maxRateLimitWaitSeconds: 0,
        }),
      }
    }
    return this.client.client
  }

  private async thumbs(): Promise<Map<string, string>> {
    const found = new Map<string, string>()
    try {
      const { pairs } = await listDatasetPairs(path.join(this.options.workspaceRoot, this.options.datasetRoot))
      for (const pair of pairs) found.set(pair.stem, datasetThumbPath(pair.image))
    } catch {
      // No local copy of the dataset: the deltas show without pictures.
    }
    return found
  }
}
