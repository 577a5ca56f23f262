import { execFileSync } from 'node:child_process'
import type { OpenApiDocument } from './openapi-document.js'
import { buildResponse, type Overrides } from './schema-objects.js'
import { gitEnv } from './git-env.js'

/**
 * The repository behind the GitHub test server: pull requests, labels, comments, commit statuses, workflow runs and
 * branches. With `gitDir` (a bare repository the tests push to) branches are that repository's refs and a merge is a
 * real squash commit on its main, so the runner's git and its GitHub calls see one repository, as on GitHub.
 * Every answer is built from GitHub's schemas (schema-objects.ts) and validated by the server.
 */

/** Options of the fake repository. */
export interface FakeRepositoryOptions {
  owner?: string
  repo?: string
  /** A bare git repository standing in for the GitHub repository's git side. */
  gitDir?: string
  /** Statuses main's branch protection requires (default none). */
  requiredContexts?: string[]
  /** The repository setting "Allow auto-merge" (default true). */
  allowAutoMerge?: boolean
}

/** What a handler answers. */
export interface HandlerAnswer {
  status: number
  body?: unknown
}

/** A pull request as the fake keeps it. */
export interface FakePull {
  number: number
  title: string
  body: string | null
  head: string
  headSha: string
  base: string
  state: 'open' | 'closed'
  labels: string[]
  mergedAt: string | null
  mergeCommitSha: string | null
  autoMerge: { method: string } | null
}

/** A comment on a PR (issue comment) or on a commit. */
export interface FakeComment {
  id: number
  on: { pull: number } | { commit: string }
  body: string
}

/** A step, job and run as a test seeds them. */
export interface SeedStep {
  name: string
  status?: 'queued' | 'in_progress' | 'completed'
  conclusion?: string | null
  seconds?: number
}
export interface SeedJob {
  name: string
  status?: 'queued' | 'in_progress' | 'completed'
  conclusion?: string | null
  steps: SeedStep[]
}
export interface SeedRun {
  branch: string
  headSha: string
  name?: string
  status?: 'queued' | 'in_progress' | 'completed'
  conclusion?: string | null
  jobs: SeedJob[]
}

const BOT = { login: 'github-actions[bot]', id: 41898282, type: 'Bot' }
const STARTED = Date.parse('2026-01-01T10:00:00Z')

export class FakeRepository {
  readonly owner: string
  readonly name: string
  readonly pulls: FakePull[] = []
  readonly comments: FakeComment[] = []
  readonly statuses: {
    sha: string
    state: string
    context: string
    description: string | null
    target_url: string | null
  }[] = []
  readonly runs: (SeedRun & { id: number; runNumber: number; updatedAt: string; jobIds: number[] })[] = []
  readonly deletedRefs: string[] = []
  private readonly branches = new Map<string, string>()
  private nextId = 100
  private readonly html: string

  constructor(
    private readonly options: FakeRepositoryOptions & { apiUrl: () => string },
    private readonly doc: OpenApiDocument,
  ) {
    this.owner = options.owner ?? 'acme'
    this.name = options.repo ?? 'water-meters'
    this.html = `https://github.test/${this.owner}/${this.name}`
  }

  /** Sets a branch (without `gitDir`). */
  setBranch(name: string, sha: string): void {
    this.branches.set(name, sha)
  }

  /** The branch's commit, or undefined. */
  branch(name: string): string | undefined {
    if (this.options.gitDir === undefined) return this.branches.get(name)
    try {
      return this.git(['rev-parse', '--verify', '--quiet', `refs/heads/${name}`]).trim() || undefined
    } catch {
      return undefined
    }
  }

  /** Adds a workflow run (with jobs and steps) the way Actions would report it. */
  addRun(seed: SeedRun): number {
    const id = this.id()
    this.runs.unshift({
      ...seed,
      id,
      runNumber: this.runs.length + 1,
      updatedAt: new Date(STARTED + id * 1000).toISOString(),
      jobIds: seed.jobs.map(() => this.id()),
    })
    return id
  }

  /** Changes a run (a job finishing, say); its `updated_at` moves as on GitHub. */
  updateRun(id: number, change: (run: SeedRun) => void): void {
    const run = this.runs.find((item) => item.id === id)
    if (run === undefined) throw new Error(`no run ${String(id)}`)
    change(run)
    run.updatedAt = new Date(Date.parse(run.updatedAt) + 60_000).toISOString()
  }

  /** A status from outside (CI finishing): may let a PR waiting for auto-merge merge, as GitHub does. */
  setStatus(sha: string, context: string, state: string): void {
    this.statuses.push({ sha, state, context, description: null, target_url: null })
    this.mergeWaitingPulls()
  }

  private id(): number {
    this.nextId += 1
    return this.nextId
  }

  private git(args: string[]): string {
    return execFileSync('git', ['--git-dir', this.options.gitDir ?? '', ...args], { env: gitEnv(), encoding: 'utf8' })
  }

  private build(component: string, override: Overrides): unknown {
    return buildResponse(this.doc, `#/components/schemas/${component}`, override)
  }

  private error(status: number, message: string, errors?: unknown[]): HandlerAnswer {
    return {
      status,
      body: {
        message,
        documentation_url: 'https://docs.github.com/rest',
        ...(errors === undefined ? {} : { errors }),
      },
    }
  }

  private repoObject(): Overrides {
    return {
      id: 1,
      name: this.name,
      full_name: `${this.owner}/${this.name}`,
      owner: { login: this.owner, id: 2, type: 'Organization' },
      html_url: this.html,
      default_branch: 'main',
    }
  }

  private pullObject(pull: FakePull, component: 'pull-request' | 'pull-request-simple'): unknown {
    const merged = pull.mergedAt !== null
    return this.build(component, {
      id: pull.number + 1000,
      node_id: `PR_${String(pull.number)}`,
      number: pull.number,
      url: `${this.options.apiUrl()}/repos/${this.owner}/${this.name}/pulls/${String(pull.number)}`,
      html_url: `${this.html}/pull/${String(pull.number)}`,
      state: pull.state,
      title: pull.title,
      body: pull.body,
      user: BOT,
      draft: false,
      labels: pull.labels.map((name, index) => this.labelObject(name, index)),
      head: {
        label: `${this.owner}:${pull.head}`,
        ref: pull.head,
        sha: pull.headSha,
        user: BOT,
        repo: this.repoObject(),
      },
      base: {
        label: `${this.owner}:${pull.base}`,
        ref: pull.base,
        sha: this.branch(pull.base) ?? '0'.repeat(40),
        user: BOT,
        repo: this.repoObject(),
      },
      merged_at: pull.mergedAt,
      merge_commit_sha: pull.mergeCommitSha,
      auto_merge:
        pull.autoMerge === null
          ? null
          : { enabled_by: BOT, merge_method: pull.autoMerge.method, commit_title: pull.title, commit_message: '' },
      ...(component === 'pull-request' ? { merged, mergeable: pull.state === 'open' ? true : null } : {}),
    })
  }

  private labelObject(name: string, index: number): Overrides {
    return {
      id: index + 1,
      node_id: `LA_${name}`,
      url: `${this.html}/labels/${name}`,
      name,
      color: 'ededed',
      default: false,
      description: 'Set by the WMS pipeline',
    }
  }

  private commentObject(comment: FakeComment): unknown {
    const common = { id: comment.id, node_id: `C_${String(comment.id)}`, body: comment.body, user: BOT }
    if ('pull' in comment.on) {
      return this.build('issue-comment', {
        ...common,
        html_url: `${this.html}/pull/${String(comment.on.pull)}#issuecomment-${String(comment.id)}`,
        issue_url: `${this.html}/issues/${String(comment.on.pull)}`,
      })
    }
    return this.build('commit-comment', {
      ...common,
      commit_id: comment.on.commit,
      html_url: `${this.html}/commit/${comment.on.commit}#commitcomment-${String(comment.id)}`,
    })
  }

  /** Answers one REST operation (the server has validated the request). */
  async handle(
    operationId: string,
    params: Record<string, string>,
    query: URLSearchParams,
    body: unknown,
  ): Promise<HandlerAnswer> {
    await Promise.resolve()
    const input = (body ?? {}) as Record<string, unknown>
    if (params.owner !== this.owner || params.repo !== this.name) return this.error(404, 'Not Found')
    const pull = this.pulls.find((item) => String(item.number) === (params.pull_number ?? params.issue_number))
    switch (operationId) {
      case 'pulls/list':
        return this.listPulls(query)
      case 'pulls/create':
        return this.createPull(input)
      case 'pulls/get':
        return pull === undefined
          ? this.error(404, 'Not Found')
          : { status: 200, body: this.pullObject(pull, 'pull-request') }
      case 'pulls/update':
        if (pull === undefined) return this.error(404, 'Not Found')
        if (typeof input.title === 'string') pull.title = input.title
        if (typeof input.body === 'string') pull.body = input.body
        return { status: 200, body: this.pullObject(pull, 'pull-request') }
      case 'pulls/merge':
        return pull === undefined ? this.error(404, 'Not Found') : this.merge(pull, input)
      case 'issues/add-labels': {
        if (pull === undefined) return this.error(404, 'Not Found')
        for (const label of (input.labels ?? []) as string[]) if (!pull.labels.includes(label)) pull.labels.push(label)
        return {
          status: 200,
          body: pull.labels.map((name, index) => this.build('label', this.labelObject(name, index))),
        }
      }
      case 'repos/create-commit-status': {
        const status = {
          sha: params.sha ?? '',
          state: String(input.state),
          context: typeof input.context === 'string' ? input.context : 'default',
          description: typeof input.description === 'string' ? input.description : null,
          target_url: typeof input.target_url === 'string' ? input.target_url : null,
        }
        this.statuses.push(status)
        this.mergeWaitingPulls()
        return {
          status: 201,
          body: this.build('status', {
            ...status,
            id: this.id(),
            node_id: 'S',
            url: `${this.html}/status`,
            creator: BOT,
          }),
        }
      }
      case 'git/delete-ref':
        return this.deleteRef(params.ref ?? '')
      case 'issues/list-comments':
        return {
          status: 200,
          body: this.comments
            .filter((c) => 'pull' in c.on && String(c.on.pull) === params.issue_number)
            .map((c) => this.commentObject(c)),
        }
      case 'repos/list-comments-for-commit':
        return {
          status: 200,
          body: this.comments
            .filter((c) => 'commit' in c.on && c.on.commit === params.commit_sha)
            .map((c) => this.commentObject(c)),
        }
      case 'issues/create-comment':
      case 'repos/create-commit-comment': {
        const on =
          operationId === 'issues/create-comment'
            ? { pull: Number(params.issue_number) }
            : { commit: params.commit_sha ?? '' }
        if ('pull' in on && pull === undefined) return this.error(404, 'Not Found')
        const comment: FakeComment = { id: this.id(), on, body: String(input.body) }
        this.comments.push(comment)
        return { status: 201, body: this.commentObject(comment) }
      }
      case 'issues/update-comment':
      case 'repos/update-commit-comment': {
        const comment = this.comments.find((item) => String(item.id) === params.comment_id)
        if (comment === undefined) return this.error(404, 'Not Found')
        comment.body = String(input.body)
        return { status: 200, body: this.commentObject(comment) }
      }
      case 'actions/list-workflow-runs-for-repo':
        return this.listRuns(query)
      case 'actions/list-jobs-for-workflow-run':
        return this.listJobs(Number(params.run_id))
      case 'checks/list-for-ref':
        return { status: 200, body: { total_count: 0, check_runs: [] } }
      case 'repos/get-combined-status-for-ref':
        return this.combinedStatus(params.ref ?? '')
      default:
        throw new Error(`no handler for ${operationId}`)
    }
  }

  private listPulls(query: URLSearchParams): HandlerAnswer {
    const head = query.get('head')
    const state = query.get('state') ?? 'open'
    const found = this.pulls.filter(
      (pull) => (head === null || `${this.owner}:${pull.head}` === head) && (state === 'all' || pull.state === state),
    )
    return { status: 200, body: found.reverse().map((pull) => this.pullObject(pull, 'pull-request-simple')) }
  }

  private createPull(input: Record<string, unknown>): HandlerAnswer {
    const head = String(input.head).replace(`${this.owner}:`, '')
    const headSha = this.branch(head)
    if (headSha === undefined)
      return this.error(422, 'Validation Failed', [{ resource: 'PullRequest', field: 'head', code: 'invalid' }])
    if (this.pulls.some((pull) => pull.head === head && pull.state === 'open'))
      return this.error(422, 'Validation Failed', [
        {
          resource: 'PullRequest',
          code: 'custom',
          message: `A pull request already exists for ${this.owner}:${head}.`,
        },
      ])
    const pull: FakePull = {
      number: this.pulls.length + 1,
      title: String(input.title),
      body: typeof input.body === 'string' ? input.body : null,
      head,
      headSha,
      base: String(input.base),
      state: 'open',
      labels: [],
      mergedAt: null,
      mergeCommitSha: null,
      autoMerge: null,
    }
    this.pulls.push(pull)
    return { status: 201, body: this.pullObject(pull, 'pull-request') }
  }

  private requiredChecksPass(sha: string): boolean {
    return (this.options.requiredContexts ?? []).every((context) =>
      this.statuses.some((status) => status.sha === sha && status.context === context && status.state === 'success'),
    )
  }

  private merge(pull: FakePull, input: Record<string, unknown>): HandlerAnswer {
    if (pull.state !== 'open') return this.error(405, 'Pull Request is not mergeable')
    pull.headSha = this.branch(pull.head) ?? pull.headSha
    if (typeof input.sha === 'string' && input.sha !== pull.headSha)
      return this.error(409, 'Head branch was modified. Review and try the merge again.')
    if (!this.requiredChecksPass(pull.headSha)) {
      const missing = (this.options.requiredContexts ?? []).join(', ')
      return this.error(405, `Required status check "${missing}" is expected.`)
    }
    const title =
      typeof input.commit_title === 'string' ? input.commit_title : `${pull.title} (#${String(pull.number)})`
    const message = typeof input.commit_message === 'string' ? input.commit_message : ''
    const sha = this.squash(pull, `${title}\n\n${message}`)
    if (sha === undefined) return this.error(405, 'Pull Request is not mergeable')
    pull.state = 'closed'
    pull.mergedAt = new Date().toISOString()
    pull.mergeCommitSha = sha
    return {
      status: 200,
      body: this.build('pull-request-merge-result', { sha, merged: true, message: 'Pull Request successfully merged' }),
    }
  }

  /** A squash merge: the head's tree as one new commit on the base (refused when the head is not on top of it). */
  private squash(pull: FakePull, message: string): string | undefined {
    if (this.options.gitDir === undefined) {
      const sha = (Math.random().toString(16).slice(2) + '0'.repeat(40)).slice(0, 40)
      this.branches.set(pull.base, sha)
      return sha
    }
    const base = this.branch(pull.base)
    const parent = this.git(['rev-parse', `${pull.headSha}^`]).trim()
    if (base === undefined || parent !== base) return undefined
    const tree = this.git(['rev-parse', `${pull.headSha}^{tree}`]).trim()
    const commit = execFileSync('git', ['--git-dir', this.options.gitDir, 'commit-tree', tree, '-p', base, '-F', '-'], {
      env: gitEnv(),
      input: message,
      encoding: 'utf8',
    }).trim()
    this.git(['update-ref', `refs/heads/${pull.base}`, commit, base])
    return commit
  }

  private mergeWaitingPulls(): void {
    for (const pull of this.pulls) {
      if (pull.state === 'open' && pull.autoMerge !== null && this.requiredChecksPass(pull.headSha)) {
        this.merge(pull, { merge_method: pull.autoMerge.method })
      }
    }
  }

  private deleteRef(ref: string): HandlerAnswer {
    const name = ref.replace(/^heads\//, '')
    // GitHub's description documents this 422 without a body.
    if (!ref.startsWith('heads/') || this.branch(name) === undefined) return { status: 422 }
    if (this.options.gitDir === undefined) this.branches.delete(name)
    else this.git(['update-ref', '-d', `refs/heads/${name}`])
    this.deletedRefs.push(ref)
    return { status: 204 }
  }

  private listRuns(query: URLSearchParams): HandlerAnswer {
    const branch = query.get('branch')
    const perPage = Number(query.get('per_page') ?? 30)
    const runs = this.runs.filter((run) => branch === null || run.branch === branch)
    return {
      status: 200,
      body: {
        total_count: runs.length,
        workflow_runs: runs.slice(0, perPage).map((run) =>
          this.build('workflow-run', {
            id: run.id,
            name: run.name ?? 'Data pipeline',
            node_id: `WFR_${String(run.id)}`,
            head_branch: run.branch,
            head_sha: run.headSha,
            path: '.github/workflows/data-pipeline.yml',
            run_number: run.runNumber,
            run_attempt: 1,
            event: 'push',
            status: run.status ?? 'completed',
            conclusion: run.conclusion ?? (run.status === 'completed' || run.status === undefined ? 'success' : null),
            html_url: `${this.html}/actions/runs/${String(run.id)}`,
            created_at: new Date(STARTED).toISOString(),
            updated_at: run.updatedAt,
            run_started_at: new Date(STARTED).toISOString(),
            repository: this.repoObject(),
            head_repository: this.repoObject(),
          }),
        ),
      },
    }
  }

  private listJobs(runId: number): HandlerAnswer {
    const run = this.runs.find((item) => item.id === runId)
    if (run === undefined) return this.error(404, 'Not Found')
    const jobs = run.jobs.map((job, index) => {
      const id = run.jobIds[index] ?? 0
      let clock = STARTED
      const steps = job.steps.map((step, number) => {
        const started = new Date(clock).toISOString()
        clock += (step.seconds ?? 1) * 1000
        const status = step.status ?? 'completed'
        return {
          name: step.name,
          number: number + 1,
          status,
          conclusion: step.conclusion ?? (status === 'completed' ? 'success' : null),
          started_at: status === 'queued' ? null : started,
          completed_at: status === 'completed' ? new Date(clock).toISOString() : null,
        }
      })
      const status = job.status ?? 'completed'
      return this.build('job', {
        id,
        run_id: run.id,
        run_url: `${this.html}/actions/runs/${String(run.id)}`,
        node_id: `J_${String(id)}`,
        head_sha: run.headSha,
        head_branch: run.branch,
        html_url: `${this.html}/actions/runs/${String(run.id)}/job/${String(id)}`,
        status,
        conclusion: job.conclusion ?? (status === 'completed' ? 'success' : null),
        name: job.name,
        workflow_name: run.name ?? 'Data pipeline',
        created_at: new Date(STARTED).toISOString(),
        started_at: new Date(STARTED).toISOString(),
        completed_at: status === 'completed' ? new Date(clock).toISOString() : null,
        steps,
        labels: ['ubuntu-24.04'],
        runner_name: 'GitHub Actions 1',
      })
    })
    return { status: 200, body: { total_count: jobs.length, jobs } }
  }

  private combinedStatus(ref: string): HandlerAnswer {
    const latest = new Map<string, (typeof this.statuses)[number]>()
    for (const status of this.statuses.filter((item) => item.sha === ref)) latest.set(status.context, status)
    const statuses = [...latest.values()]
    const state = statuses.some((s) => s.state === 'failure' || s.state === 'error')
      ? 'failure'
      : statuses.every((s) => s.state === 'success')
        ? 'success'
        : 'pending'
    return {
      status: 200,
      body: this.build('combined-commit-status', {
        state,
        sha: ref,
        total_count: statuses.length,
        statuses: statuses.map((status, index) =>
          this.build('simple-commit-status', {
            ...status,
            id: index + 1,
            node_id: 'S',
            url: `${this.html}/status`,
            avatar_url: null,
            required: null,
          }),
        ),
        repository: this.build('minimal-repository', this.repoObject()),
      }),
    }
  }

  /** The one GraphQL mutation the adapter sends: enable auto-merge on a PR. */
  graphql(body: unknown): { body: unknown; violations: string[] } {
    const { query, variables } = (body ?? {}) as { query?: unknown; variables?: Record<string, unknown> }
    const violations: string[] = []
    if (typeof query !== 'string' || !/mutation[^{]*\{\s*enablePullRequestAutoMerge\(input:/.test(query))
      violations.push(`graphql: not the auto-merge mutation: ${String(query)}`)
    const pull = this.pulls.find((item) => `PR_${String(item.number)}` === variables?.pullRequestId)
    const method = variables?.mergeMethod
    if (pull === undefined)
      violations.push(`graphql: pullRequestId ${String(variables?.pullRequestId)} is no PR's node id`)
    if (method !== 'SQUASH' && method !== 'MERGE' && method !== 'REBASE')
      violations.push(`graphql: mergeMethod ${String(method)}`)
    const fail = (message: string): { body: unknown; violations: string[] } => ({
      body: {
        data: { enablePullRequestAutoMerge: null },
        errors: [{ type: 'UNPROCESSABLE', path: ['enablePullRequestAutoMerge'], message }],
      },
      violations,
    })
    if (pull === undefined) return fail('Could not resolve to a node')
    if (this.options.allowAutoMerge === false) return fail('Pull request Auto merge is not allowed for this repository')
    if (this.requiredChecksPass(pull.headSha)) return fail('Pull request Pull request is in clean status')
    pull.autoMerge = { method: String(method).toLowerCase() }
    return {
      body: {
        data: {
          enablePullRequestAutoMerge: {
            pullRequest: { number: pull.number, autoMergeRequest: { enabledAt: new Date().toISOString() } },
          },
        },
      },
      violations,
    }
  }
}
