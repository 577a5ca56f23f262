import { chmod, mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { openRepo } from '../adapters/git/run-git.js'
import { readWorkspaceConfig, writeWorkspaceConfig } from '../workspace/workspace-config-file.js'
import {
  startGitHubTestServer,
  TEST_TOKEN,
  type GitHubTestServer,
} from '../../test/github-test-server/github-test-server.js'
import { createPipelineRepo, originRef, pushDataBranch, TINY_TRAINING } from '../../test/helpers/pipeline-repo.js'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { dryRunWorkflow, GPU_INSTANCE, GPU_LABEL } from '../../test/workflow-dry-run/run-workflow.js'

/**
 * The shipped data-pipeline.yml, run job by job and step by step on this machine: each job in a fresh clone, the
 * run record crossing jobs only as the artifact, the runner's CLI from source, the wasm backend and a tiny training
 * config, the GitHub test server standing in for GitHub and a bare repository for its git side. If the YAML and the
 * runner drift apart (a renamed flag, a step in the wrong job, state that does not travel), this fails.
 */

const WORKFLOW = path.resolve(import.meta.dirname, '../../../resources/workflows/data-pipeline.yml')
const CLI_ENTRY = path.resolve(import.meta.dirname, '../../test/helpers/cli-entry.ts')
const TSX = import.meta.resolve('tsx')
const BRANCH = 'data/20260101-000001'
const REPOSITORY = 'acme/water-meters'

const tempDir = useTempDirs()
let server: GitHubTestServer | undefined

afterEach(async () => {
  await server?.close()
  server = undefined
})

async function cliShim(base: string): Promise<string> {
  const bin = path.join(base, 'bin')
  await mkdir(bin, { recursive: true })
  const file = path.join(bin, 'training-runner')
  await writeFile(
    file,
    `#!/bin/sh\nexec "${process.execPath}" --conditions=source --import "${TSX}" "${CLI_ENTRY}" "$@"\n`,
  )
  await chmod(file, 0o755)
  return bin
}

/** A github-actions workspace with a pushed data branch, the GitHub test server, and the dry run of the workflow. */
async function dryRun(vars: Record<string, string> = {}) {
  const base = await tempDir()
  const repo = await createPipelineRepo(base)
  const config = await readWorkspaceConfig(repo.root)
  await writeWorkspaceConfig(repo.root, {
    ...config,
    github: { repo: REPOSITORY },
    pipeline: { runner: 'github-actions' },
    // The workflow picks the backend (TFJS_BACKENDS); the config only says how small.
    training: { ...config.training, ...TINY_TRAINING, backend: 'auto' },
  })
  const git = openRepo(repo.root)
  await git.add(['wms.config.json'])
  await git.commit('GitHub Actions runner')
  await git.push('origin', 'main')
  const mainBefore = await originRef(repo, 'main')
  const commit = await pushDataBranch(repo, BRANCH, { pairs: 3, startId: 100 })
  const github = await startGitHubTestServer({ gitDir: repo.origin })
  server = github
  const result = await dryRunWorkflow({
    workflowFile: WORKFLOW,
    base,
    origin: repo.origin,
    branch: BRANCH,
    commit,
    repository: REPOSITORY,
    vars: {
      WMS_STUDIO_REPO: 'acme/wms-studio',
      AWS_ROLE_ARN: 'arn:aws:iam::123456789012:role/wms-pipeline',
      GPU_AMI_ID: 'ami-0123456789abcdef0',
      TFJS_BACKENDS: 'wasm,cpu',
      ...vars,
    },
    secrets: { GH_RUNNER_TOKEN: 'runner-registration-pat' },
    token: TEST_TOKEN,
    github,
    binDir: await cliShim(base),
    env: { WMS_GITHUB_WRITE_SPACING_MS: '0' },
  })
  return { repo, github, result, commit, mainBefore }
}

describe('data-pipeline.yml, dry run', () => {
  it('runs every job of the workflow to a merged PR, and the GPU host is started once and terminated', async () => {
    const { repo, github: server, result, commit, mainBefore } = await dryRun()

    const summary = result.jobs.map((job) => [job.id, job.result])
    const failures = result.jobs.flatMap((job) =>
      job.steps.filter((step) => step.outcome === 'failure').map((step) => `${job.id} › ${step.name}:\n${step.output}`),
    )
    expect(failures.join('\n\n')).toBe('')
    expect(summary).toEqual([
      ['qa', 'success'],
      ['start-gpu', 'success'],
      ['train', 'success'],
      ['stop-gpu', 'success'],
      ['publish', 'success'],
      ['notify', 'success'],
    ])
    // Training ran on the host started for this run, and that host was terminated.
    expect(result.jobs.find((job) => job.id === 'train')?.runsOn).toBe(GPU_LABEL)
    expect(result.gpu).toEqual({ started: [GPU_INSTANCE], stopped: [GPU_INSTANCE] })
    // Every run: step ran except the runner's install steps (this checkout's CLI is on the PATH instead).
    const ran = result.jobs.flatMap((job) => job.steps.filter((step) => step.kind === 'run').map((step) => step.name))
    expect(ran).toEqual([
      "Merge the branch into main's dataset (pointer files only)",
      'QA over the merged dataset',
      'Train the candidate on the merged dataset',
      'Gate (candidate vs production, same test split)',
      'Promote',
      'Publish through a pull request',
      'Comment on the PR or the pushed commit',
    ])

    // GitHub: one PR from the publish branch, labelled, marked, squash-merged into main; both branches gone.
    expect(server.repository.pulls).toHaveLength(1)
    const pull = server.repository.pulls[0]
    expect(pull?.title).toBe('data: add 3 new training images (model improved)')
    expect(pull?.head).toBe(`wms/publish/${BRANCH}`)
    expect(pull?.labels).toEqual(['data-update', 'model-improved'])
    expect(pull?.body).toContain('3 new')
    const main = await originRef(repo, 'main')
    expect(pull?.mergeCommitSha).toBe(main)
    const origin = openRepo(repo.origin)
    expect((await origin.raw(['rev-parse', `${main}^`])).trim()).toBe(mainBefore)
    expect(await origin.raw(['log', '-1', '--format=%B', main])).toContain(`Data-Branch: ${BRANCH} ${commit}`)
    expect((await origin.raw(['diff', '--name-only', mainBefore, main])).trim().split('\n').sort()).toEqual([
      'data/training/images.dvc',
      'data/training/masks.dvc',
      'model-metadata.json',
      'models/production-history.jsonl',
    ])
    expect(await originRef(repo, BRANCH)).toBe('')
    expect(await originRef(repo, `wms/publish/${BRANCH}`)).toBe('')
    // Merged: the pusher gets the PR, not a comment. The GitHub calls of a whole pipeline (docs/GITHUB.md):
    expect(server.repository.comments).toEqual([])
    expect(server.requests.map((request) => request.operationId)).toEqual([
      'pulls/list',
      'pulls/create',
      'issues/add-labels',
      'repos/create-commit-status',
      'pulls/merge',
      'git/delete-ref',
      'git/delete-ref',
    ])
    server.assertNoViolations()
  }, 600_000)

  it('a failed training step: the GPU host is still terminated, nothing is published, the pusher gets the step and its log', async () => {
    // No such backend here: training fails at once, as on an AMI without CUDA.
    const { repo, github: server, result, commit, mainBefore } = await dryRun({ TFJS_BACKENDS: 'webgpu' })

    expect(result.jobs.map((job) => [job.id, job.result])).toEqual([
      ['qa', 'success'],
      ['start-gpu', 'success'],
      ['train', 'failure'],
      ['stop-gpu', 'success'],
      ['publish', 'skipped'],
      ['notify', 'success'],
    ])
    expect(result.gpu).toEqual({ started: [GPU_INSTANCE], stopped: [GPU_INSTANCE] })
    expect(await originRef(repo, 'main')).toBe(mainBefore)
    expect(await originRef(repo, BRANCH)).toBe(commit)
    expect(server.repository.pulls).toEqual([])
    const [comment] = server.repository.comments
    expect(comment?.on).toEqual({ commit })
    expect(comment?.body).toContain('The data pipeline failed at train')
    expect(comment?.body).toMatch(
      /\*\*Train, gate and promote on the GPU host\*\* › \*\*Train the candidate on the merged dataset\*\* failed — \[log\]\(https:\/\/github\.test\/acme\/water-meters\/actions\/runs\/\d+\/job\/\d+#step:\d+:1\)/,
    )
    expect(comment?.body).toContain('The train step failed')
    server.assertNoViolations()
  }, 600_000)
})
