import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { GateVerdict } from '@wms/shared/gate/verdict'
import { PipelineTimelineSchema } from '@wms/shared/pipeline/timeline'
import type {
  GitHubBranchStatus,
  GitHubStatusClient,
  GitHubStatusClientOptions,
  GitHubWorkflowRun,
} from 'training-runner'
import { GitHubStatusSource } from './github-status-source.js'
import { timelineFromGitHub } from './github-timeline.js'
import { MlflowStatusReader } from './mlflow-status.js'

const BRANCH = 'data/20260101-120000'
const SHA = 'a'.repeat(40)

type StepState = [status: 'queued' | 'in_progress' | 'completed', conclusion: string | null]

/** A data-pipeline workflow run as GitHub lists it, its steps named as in the workflow template. */
function run(
  states: Record<string, StepState>,
  status = 'in_progress',
  conclusion: string | null = null,
): GitHubWorkflowRun {
  const step = (number: number, name: string) => {
    const [stepStatus, stepConclusion] = states[name] ?? ['queued', null]
    return {
      number,
      name,
      status: stepStatus,
      conclusion: stepConclusion,
      startedAt: stepStatus === 'queued' ? null : '2026-01-01T12:01:00Z',
      completedAt: stepStatus === 'completed' ? '2026-01-01T12:02:00Z' : null,
      seconds: stepStatus === 'completed' ? 60 : null,
      logUrl: `https://github.com/acme/meters/actions/runs/7/job/${String(number)}#step:${String(number)}:1`,
    }
  }
  const job = (id: number, name: string, steps: string[]) => ({
    id,
    name,
    status: 'in_progress',
    conclusion: null,
    startedAt: null,
    completedAt: null,
    seconds: null,
    logUrl: `https://github.com/acme/meters/actions/runs/7/job/${String(id)}`,
    runnerName: null,
    labels: [],
    steps: steps.map((name, index) => step(id * 10 + index, name)),
  })
  return {
    id: 7,
    name: 'Data pipeline',
    path: '.github/workflows/data-pipeline.yml',
    event: 'push',
    status,
    conclusion,
    headSha: SHA,
    runNumber: 3,
    attempt: 1,
    url: 'https://github.com/acme/meters/actions/runs/7',
    createdAt: '2026-01-01T12:00:00Z',
    updatedAt: '2026-01-01T12:09:00Z',
    startedAt: '2026-01-01T12:00:05Z',
    jobs: [
      job(1, 'Merge and QA', [
        'Check out the workspace',
        'Merge the branch into main’s dataset (pointer files only)',
        'QA over the merged dataset',
      ]),
      job(2, 'Train, gate and promote on the GPU host', [
        'Train the candidate on the merged dataset',
        'Gate (candidate vs production, same test split)',
        'Promote',
      ]),
      job(3, 'Publish (PR to main, merge)', ['Publish through a pull request']),
    ],
  }
}

const MERGE = 'Merge the branch into main’s dataset (pointer files only)'
const QA = 'QA over the merged dataset'
const TRAIN = 'Train the candidate on the merged dataset'
const GATE = 'Gate (candidate vs production, same test split)'

function status(runs: GitHubWorkflowRun[], pullRequest: GitHubBranchStatus['pullRequest'] = null): GitHubBranchStatus {
  return { branch: BRANCH, runs, pullRequest, fetchedAt: 1, rateLimit: null }
}

const words = (timeline: ReturnType<typeof timelineFromGitHub>) =>
  timeline.stages.map((stage) => `${stage.id}:${stage.word}`)

describe('timelineFromGitHub', () => {
  it('shows a run training in CI with MLflow’s live curve, each stage linked to its log', () => {
    const timeline = timelineFromGitHub({
      branch: BRANCH,
      commit: SHA,
      pushedAt: 5,
      status: status([
        run({ [MERGE]: ['completed', 'success'], [QA]: ['completed', 'success'], [TRAIN]: ['in_progress', null] }),
      ]),
      tracked: {
        runId: 'r1',
        branch: null,
        running: true,
        epochs: 50,
        curve: [{ epoch: 1, trainLoss: 0.5, valLoss: null, trainDice: 0.3, valDice: null }],
        link: { href: 'https://mlflow.example/#/experiments/1/runs/r1', label: 'MLflow run' },
      },
    })
    expect(PipelineTimelineSchema.parse(timeline)).toEqual(timeline)
    expect(words(timeline)).toEqual([
      'pushed:pushed',
      'merge-qa:checked',
      'training:epoch 1/50',
      'gate:waiting',
      'promotion:waiting',
      'merged:waiting',
    ])
    expect(timeline.state).toBe('running')
    expect(timeline.stages[2]?.link?.href).toContain('#step:20:1')
    expect(timeline.links.map((link) => link.label)).toEqual(['Workflow run #3', 'MLflow run'])
  })

  it('shows a rejected candidate: the gate failed with MLflow’s verdict, nothing promoted or merged', () => {
    const verdict = {
      pass: false,
      headline: 'Not better',
      reasons: ['Dice 0.79 vs 0.80'],
      perImage: null,
    } as Partial<GateVerdict>
    const timeline = timelineFromGitHub({
      branch: BRANCH,
      commit: SHA,
      pushedAt: 5,
      status: status([
        run(
          {
            [MERGE]: ['completed', 'success'],
            [QA]: ['completed', 'success'],
            [TRAIN]: ['completed', 'success'],
            [GATE]: ['completed', 'failure'],
            Promote: ['completed', 'skipped'],
            'Publish through a pull request': ['completed', 'skipped'],
          },
          'completed',
          'failure',
        ),
      ]),
      verdict: {
        schemaVersion: 1,
        outcome: 'not-improved',
        candidate: { runId: 'r1', dice: 0.79, iou: 0.7 },
        production: null,
        deltas: null,
        policy: { diceMargin: 0, iouMargin: 0, minDice: 0, minIou: 0 },
        testImages: 3,
        ...verdict,
      } as GateVerdict,
    })
    expect(words(timeline).slice(3)).toEqual(['gate:rejected', 'promotion:not promoted', 'merged:not merged'])
    expect(timeline.verdict).toMatchObject({
      outcome: 'not-improved',
      headline: 'Not better',
      details: ['Dice 0.79 vs 0.80'],
    })
    expect(timeline.state).toBe('done')
  })

  it('shows a rejected run as GitHub lists it: the publish job skipped after the failed gate has no steps', () => {
    const listed = run(
      {
        [MERGE]: ['completed', 'success'],
        [QA]: ['completed', 'success'],
        [TRAIN]: ['completed', 'success'],
        [GATE]: ['completed', 'failure'],
        Promote: ['completed', 'skipped'],
      },
      'completed',
      'failure',
    )
    const [qa, train, publish] = listed.jobs
    if (qa === undefined || train === undefined || publish === undefined) throw new Error('three jobs')
    const skippedJob = { ...publish, status: 'completed', conclusion: 'skipped', steps: [] }
    const timeline = timelineFromGitHub({
      branch: BRANCH,
      commit: SHA,
      pushedAt: 5,
      status: status([{ ...listed, jobs: [qa, train, skippedJob] }]),
    })
    // Without MLflow's run and verdict: trained (epochs unknown), the gate's step failed; the PR stage is over.
    expect(words(timeline).slice(2)).toEqual([
      'training:trained',
      'gate:failed',
      'promotion:not promoted',
      'merged:not merged',
    ])
    expect(timeline.state).toBe('done')
    // A run still going keeps a stage without steps waiting (its job has not started).
    const running = timelineFromGitHub({
      branch: BRANCH,
      commit: SHA,
      pushedAt: 5,
      status: status([
        { ...listed, status: 'in_progress', conclusion: null, jobs: [qa, train, { ...publish, steps: [] }] },
      ]),
    })
    expect(words(running).at(-1)).toBe('merged:waiting')
  })

  it('ends with the merged PR', () => {
    const done = Object.fromEntries(
      [MERGE, QA, TRAIN, GATE, 'Promote', 'Publish through a pull request'].map((name) => [
        name,
        ['completed', 'success'],
      ]),
    ) as Record<string, StepState>
    const input = {
      branch: BRANCH,
      commit: SHA,
      pushedAt: 5,
      status: status([run(done, 'completed', 'success')], {
        number: 12,
        url: 'https://github.com/acme/meters/pull/12',
        title: 'data: add 3 new training images (model improved)',
        state: 'merged',
        draft: false,
        headRef: `wms/publish/${BRANCH}`,
        headSha: SHA,
        baseRef: 'main',
        labels: [],
        autoMerge: true,
        mergedAt: '2026-01-01T12:10:00Z',
        mergeCommitSha: 'b'.repeat(40),
        checks: [],
        checksState: 'none',
      }),
    }
    const timeline = timelineFromGitHub(input)
    expect(words(timeline).at(-1)).toBe('merged:PR merged')
    // Without MLflow's word on the version the step's own word stays; with it, the version as on the local runner.
    expect(words(timeline)[4]).toBe('promotion:promoted')
    const known = timelineFromGitHub({ ...input, promotedVersion: '4' })
    expect(words(known)[4]).toBe('promotion:promoted v4')
    expect(known.message).toBeNull()
    expect(timeline.stages.at(-1)?.link).toEqual({
      href: 'https://github.com/acme/meters/pull/12',
      label: 'Pull request #12',
    })
    expect(timeline.verdict?.outcome).toBe('merged')
  })
})

describe('GitHubStatusSource', () => {
  const dirs: string[] = []
  afterEach(async () => {
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
  })

  it('follows the workspace’s data branches with the stored account, and answers "unchanged" when nothing moved', async () => {
    const root = await mkdtemp(path.join(os.tmpdir(), 'wms-github-source-'))
    dirs.push(root)
    const git = (...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd: root, encoding: 'utf8' })
    git('init', '-q', '-b', 'main')
    git('commit', '-q', '--allow-empty', '-m', 'data: add 3 pairs')
    git('branch', BRANCH)
    const commit = git('rev-parse', 'HEAD').trim()
    const created: GitHubStatusClientOptions[] = []
    let answer = status([])
    const client: GitHubStatusClient = {
      branchStatus: (branch) => Promise.resolve({ ...answer, branch }),
      workflowRuns: () => Promise.resolve([]),
      pullRequest: () => Promise.resolve(null),
      stats: () => ({ sent: 0, notModified: 0, counted: 0 }) as never,
      rateLimit: () => null,
    }
    const source = new GitHubStatusSource({
      workspaceRoot: root,
      datasetRoot: 'data/training',
      repo: 'acme/meters',
      experiment: 'wms',
      credentials: {
        github: () => Promise.resolve({ token: 'ghp_secret', apiUrl: 'http://127.0.0.1:1' }),
        mlflow: () => Promise.resolve(undefined),
      },
      tracking: new MlflowStatusReader(() => Promise.reject(new Error('no MLflow here'))),
      createClient: (options) => {
        created.push(options)
        return client
      },
    })
    const first = await source.poll()
    expect(first?.map((timeline) => [timeline.branch, timeline.state, timeline.commit])).toEqual([
      [BRANCH, 'queued', commit],
    ])
    expect(created).toEqual([
      expect.objectContaining({ repo: 'acme/meters', token: 'ghp_secret', baseUrl: 'http://127.0.0.1:1' }),
    ])
    expect(await source.poll()).toBeUndefined()
    // The workflow starts (MLflow unreachable: GitHub's side still shows).
    answer = status([{ ...run({ [MERGE]: ['in_progress', null] }), headSha: commit }])
    const second = await source.poll()
    expect(second?.[0]?.stages[1]).toMatchObject({ status: 'running', word: 'checking' })
    expect(second?.[0]?.message).toBe(
      "MLflow could not be read (Unexpected error: no MLflow here), so the training curves and the gate's verdict are missing. Check the MLflow login in Settings.",
    )
    expect(created).toHaveLength(1)
  })
})
