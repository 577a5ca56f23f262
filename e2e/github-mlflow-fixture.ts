import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import { METRIC_NAMES } from '@wms/shared/tracking/metrics'
import { RUN_TAGS } from '@wms/shared/tracking/tags'
import {
  createDemoWorkspace,
  DEMO_MARKER_FILE,
  listDatasetPairs,
  openWorkspaceTracking,
  promote,
  readWorkspaceConfig,
  runGate,
  startRun,
  writeTinyModel,
  type EvaluationPorts,
} from 'training-runner'
import {
  startGitHubTestServer,
  startMlflowTestServer,
  TEST_TOKEN,
  type GitHubTestServer,
  type MlflowTestServer,
} from 'training-runner/test-support'
import { dataPipelineJobs } from './github-pipeline-jobs.js'

/**
 * A workspace whose pipeline runs in GitHub Actions and records to an MLflow server — both the runner's faithful
 * test servers (every GitHub request and answer checked against GitHub's OpenAPI description; MLflow's REST API as
 * observed) — seeded with what two finished pipelines leave there: one whose candidate passed the gate, was
 * promoted and merged through its PR, and one the gate rejected. No training runs: the MLflow side is written by
 * the runner's own run logger, gate and promotion, with a tiny real model whose test scores the gate's evaluator
 * reads from a file beside it (as `src-main/test-support/seed-registry.ts` does).
 */

const run = promisify(execFile)

export const REPO = { owner: 'acme', name: 'water-meters' }
/** The MLflow server's login: the e2e saves it in Settings (the server refuses requests without it). */
export const MLFLOW_TOKEN = 'mlflow-e2e-token'
export const BRANCHES = { passed: 'data/20260101-095000', rejected: 'data/20260101-095600' } as const
/** The pushes, a few minutes before the test server's workflow runs start (10:00 UTC). */
const PUSHED_AT = { passed: '2026-01-01T09:50:00Z', rejected: '2026-01-01T09:56:00Z' } as const

const SCORES_FILE = 'seed-scores.json'
/** One version's test scores, and how far each test image is from them (so per-image deltas differ). */
interface Scores {
  dice: number
  iou: number
  spread: number[]
}

/** The `.dvc` md5s of a branch's images and masks, as the pipeline tags its run (made up, one per branch). */
function dataVersion(branch: string): string {
  const md5 = (what: string) => createHash('md5').update(`${what} ${branch}`).digest('hex')
  return `images=${md5('images')}.dir,masks=${md5('masks')}.dir`
}

/** What the spec needs to know of the seeded world. */
export interface SeededServers {
  root: string
  github: GitHubTestServer
  mlflow: MlflowTestServer
  /**
   * MLflow's side, written while the app starts (the app sees it once the spec saves the MLflow login): the
   * promoted versions, the older one (v1) and the passed pipeline's (v2, production).
   */
  mlflowSeeded: Promise<{ older: string; passed: string }>
  /** The pipelines' pull request (passed). */
  pullNumber: number
  close: () => Promise<void>
}

async function git(cwd: string, args: string[], date?: string): Promise<string> {
  const env = date === undefined ? process.env : { ...process.env, GIT_AUTHOR_DATE: date, GIT_COMMITTER_DATE: date }
  const { stdout } = await run('git', args, { cwd, env })
  return stdout.trim()
}

/** The workspace's config as a team's that runs its pipeline in GitHub Actions, committed and pushed. */
async function configureForGitHub(root: string, mlflowUrl: string): Promise<void> {
  const file = path.join(root, 'wms.config.json')
  const config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
  config.name = 'Acme water meters'
  config.github = { repo: `${REPO.owner}/${REPO.name}` }
  config.pipeline = { runner: 'github-actions' }
  config.tracking = { ...(config.tracking as object), uri: mlflowUrl }
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`)
  // Made from the demo's generator for its small dataset, but a team's workspace, not the demo.
  await rm(path.join(root, DEMO_MARKER_FILE), { force: true })
  await git(root, ['commit', '-qam', 'Run the pipeline in GitHub Actions, tracking on the team MLflow'])
  await git(root, ['push', '-q', '--no-verify', 'origin', 'main'])
}

/** A data branch with one pushed commit (its pairs are not the point here: GitHub and MLflow are). */
async function pushDataBranch(root: string, branch: string, date: string): Promise<string> {
  await git(root, ['checkout', '-q', '-b', branch])
  await git(root, ['commit', '-q', '--allow-empty', '-m', 'data: add 3 pairs'], date)
  const sha = await git(root, ['rev-parse', 'HEAD'])
  await git(root, ['push', '-q', '--no-verify', 'origin', branch])
  await git(root, ['checkout', '-q', 'main'])
  return sha
}

/** A finished workflow run, its `updated_at` moved past its last step (the fake starts every run at 10:00). */
function addWorkflowRun(github: GitHubTestServer, branch: string, sha: string, outcome: 'passed' | 'rejected') {
  const repository = github.repository
  const id = repository.addRun({
    branch,
    headSha: sha,
    status: 'completed',
    conclusion: outcome === 'passed' ? 'success' : 'failure',
    jobs: dataPipelineJobs(outcome),
  })
  for (let minute = 0; minute < (outcome === 'passed' ? 7 : 5); minute += 1) repository.updateRun(id, () => undefined)
  const seeded = repository.runs.find((item) => item.id === id)
  if (seeded === undefined) throw new Error('the run just added')
  return { id, githubRun: `${String(id)}#${String(seeded.runNumber)}` }
}

/** The evaluator of the gate: each model's scores come from the file logged with it. */
function scoreReadingPorts(testIds: string[]): EvaluationPorts {
  return {
    loadTestSplit: () =>
      Promise.resolve(
        testIds.map((id) => ({
          id,
          md5: id.padEnd(32, '0').slice(0, 32),
          image: `/t/${id}.jpg`,
          mask: `/t/${id}.png`,
        })),
      ),
    evaluateModel: async (modelDir, pairs) => {
      const scores = JSON.parse(await readFile(path.join(modelDir, SCORES_FILE), 'utf8')) as Scores
      const perImage = pairs.map((pair, index) => ({
        id: pair.id,
        dice: scores.dice + (scores.spread[index] ?? 0),
        iou: scores.iou + (scores.spread[index] ?? 0),
      }))
      return { aggregate: { dice: scores.dice, iou: scores.iou }, perImage }
    },
  }
}

/** Starts both servers and seeds them and the workspace (under `base`). */
export async function startSeededServers(base: string): Promise<SeededServers> {
  const mlflow = await startMlflowTestServer(path.join(base, 'mlflow-server'))
  // The team's MLflow wants a token for every request (the spec saves it in Settings; the seeding sends it too).
  mlflow.requireAuthorization = `Bearer ${MLFLOW_TOKEN}`
  const github = await startGitHubTestServer({ owner: REPO.owner, repo: REPO.name })
  try {
    const demo = await createDemoWorkspace(path.join(base, 'team'), { pairs: 6, minTestPairs: 0, incoming: 0 })
    const root = demo.workspace
    await configureForGitHub(root, mlflow.url)
    const passedSha = await pushDataBranch(root, BRANCHES.passed, PUSHED_AT.passed)
    const rejectedSha = await pushDataBranch(root, BRANCHES.rejected, PUSHED_AT.rejected)
    const passedRun = addWorkflowRun(github, BRANCHES.passed, passedSha, 'passed')
    const rejectedRun = addWorkflowRun(github, BRANCHES.rejected, rejectedSha, 'rejected')
    const pullNumber = 2
    github.repository.pulls.push({
      number: pullNumber,
      title: 'data: add 3 new training images (model improved)',
      body: null,
      head: `wms/publish/${BRANCHES.passed}`,
      headSha: 'e'.repeat(40),
      base: 'main',
      state: 'closed',
      labels: ['data-update', 'model-improved'],
      mergedAt: '2026-01-01T10:07:30Z',
      mergeCommitSha: 'f'.repeat(40),
      autoMerge: { method: 'squash' },
    })
    github.repository.setStatus('e'.repeat(40), 'wms/pipeline', 'success')
    // The publish step deletes the merged data branch on GitHub (the user's local branch stays).
    await git(root, ['push', '-q', '--no-verify', 'origin', '--delete', BRANCHES.passed])

    const testIds = (await listDatasetPairs(path.join(root, (await readWorkspaceConfig(root)).dataset.root))).pairs
      .slice(0, 3)
      .map((pair) => pair.stem)
    const mlflowSeeded = seedMlflow(new MlflowSeed(root, testIds, path.join(base, 'models')), {
      passed: passedRun.githubRun,
      rejected: rejectedRun.githubRun,
      pullNumber,
    })
    // Keep the rejection observed when the caller stops waiting (the spec awaits it).
    mlflowSeeded.catch(() => undefined)
    return {
      root,
      github,
      mlflow,
      mlflowSeeded,
      pullNumber,
      close: async () => {
        await Promise.all([github.close(), mlflow.close()])
      },
    }
  } catch (thrown) {
    await Promise.all([github.close(), mlflow.close()])
    throw thrown
  }
}

export { TEST_TOKEN }

/**
 * The three pipelines' MLflow side, oldest first: an earlier one promoted v1, the passed one v2 (production), and
 * the rejected one's candidate, gated against v2. Then main as the merged PR left it (the promotion's files).
 */
async function seedMlflow(
  seed: MlflowSeed,
  runs: { passed: string; rejected: string; pullNumber: number },
): Promise<{ older: string; passed: string }> {
  const older = await seed.pipeline({
    branch: 'data/20251218-091500',
    githubRun: '7001#1',
    scores: { dice: 0.74, iou: 0.6, spread: [0.02, -0.01, -0.01] },
    promoteAs: { pr: 1, at: '2025-12-18T09:40:00Z' },
  })
  const passed = await seed.pipeline({
    branch: BRANCHES.passed,
    githubRun: runs.passed,
    scores: { dice: 0.82, iou: 0.7, spread: [0.03, -0.02, -0.01] },
    promoteAs: { pr: runs.pullNumber, at: '2026-01-01T10:06:00Z' },
  })
  await seed.pipeline({
    branch: BRANCHES.rejected,
    githubRun: runs.rejected,
    // Better on one test image, worse on the others and on average: the gate keeps production.
    scores: { dice: 0.79, iou: 0.66, spread: [0.09, -0.06, -0.03] },
  })
  await seed.commitPromotions(runs.pullNumber)
  if (older === undefined || passed === undefined) throw new Error('seeding: two promotions')
  return { older, passed }
}

/** Writes what the pipeline's train, gate and promote steps leave in MLflow, through the runner's own code. */
class MlflowSeed {
  constructor(
    private readonly root: string,
    private readonly testIds: string[],
    private readonly work: string,
  ) {}

  /** Main as the user pulled it after the PR merged: the promotions' metadata and history committed. */
  async commitPromotions(pullNumber: number): Promise<void> {
    const message = `data: add 3 new training images (model improved) (#${String(pullNumber)})`
    // The app is running: its own git reads may hold the index lock for a moment.
    for (let attempt = 1; ; attempt += 1) {
      try {
        await git(this.root, ['add', '-A'])
        await git(this.root, ['commit', '-qm', message])
        return
      } catch (thrown) {
        if (attempt === 5) throw thrown
        await new Promise((resolve) => setTimeout(resolve, 200))
      }
    }
  }

  /** One pipeline's training run (curves, model), its gate verdict and — when it passes — its promotion. */
  async pipeline(options: {
    branch: string
    githubRun: string
    scores: Scores
    promoteAs?: { pr: number; at: string }
  }): Promise<string | undefined> {
    const { store, config } = await openWorkspaceTracking(this.root, {
      env: {},
      auth: { kind: 'bearer', token: MLFLOW_TOKEN },
    })
    const logger = await startRun(store, {
      experiment: config.tracking.experiment,
      tags: {
        [RUN_TAGS.gitBranch]: options.branch,
        [RUN_TAGS.githubRun]: options.githubRun,
        [RUN_TAGS.dataVersion]: dataVersion(options.branch),
        [RUN_TAGS.pairsTotal]: '24',
        [RUN_TAGS.pairsTest]: String(this.testIds.length),
      },
    })
    const epochs = 6
    await logger.logParams({ imageSize: 64, epochs, batchSize: 4, baseFilters: 8, learningRate: 0.002 })
    for (let epoch = 1; epoch <= epochs; epoch += 1) {
      const progress = epoch / epochs
      await logger.logMetrics(
        {
          [METRIC_NAMES.trainLoss]: 0.62 - 0.4 * progress,
          [METRIC_NAMES.valLoss]: 0.66 - 0.36 * progress,
          [METRIC_NAMES.trainDice]: 0.3 + (options.scores.dice - 0.25) * progress,
          [METRIC_NAMES.valDice]: 0.28 + (options.scores.dice - 0.3) * progress,
        },
        epoch,
      )
    }
    const modelDir = path.join(this.work, options.githubRun.replace('#', '-'))
    await writeTinyModel(modelDir, { foreground: 'random', seed: 7 })
    await writeFile(path.join(modelDir, SCORES_FILE), JSON.stringify(options.scores))
    await logger.logModel(modelDir)
    await logger.logMetrics({ final_test_dice: options.scores.dice, final_test_iou: options.scores.iou }, 1)
    await logger.finish()
    const gate = await runGate({
      store,
      workspaceRoot: this.root,
      config,
      candidateRunId: logger.runId,
      ports: scoreReadingPorts(this.testIds),
      candidateModelDir: modelDir,
    })
    if (gate.verdict.pass !== (options.promoteAs !== undefined))
      throw new Error(`seeding: the gate said ${gate.verdict.headline} for ${options.branch}`)
    if (options.promoteAs === undefined) return undefined
    const at = new Date(options.promoteAs.at)
    const promoted = await promote({
      store,
      workspaceRoot: this.root,
      config,
      runId: logger.runId,
      source: { branch: options.branch, pr: options.promoteAs.pr, githubRun: options.githubRun },
      now: () => at,
    })
    return promoted.version
  }
}
