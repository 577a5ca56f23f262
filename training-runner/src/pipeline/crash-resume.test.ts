import { spawn } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { openRepo } from '../adapters/git/run-git.js'
import { openWorkspaceTracking } from '../registry/open-workspace-tracking.js'
import type { DatasetRepo } from '../../test/helpers/dataset-repo.js'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import {
  createPipelineRepo,
  originRef,
  pushDataBranch,
  TINY_TRAINING,
  worktrees,
} from '../../test/helpers/pipeline-repo.js'
import { readRunRecord } from './run-record-file.js'

const repoRoot = path.resolve(import.meta.dirname, '../../..')
const CLI = `import { runCli } from './training-runner/src/cli/main.ts'; process.exitCode = await runCli(process.argv.slice(1))`
const BRANCH = 'data/20260101-000001'

/** Runs `training-runner pipeline run` in its own process; `killOn` kills it with SIGKILL at the first such event. */
function runChild(
  repo: DatasetRepo,
  config: string,
  options: { resume: boolean; killAt?: string; killOnEvent?: string },
): Promise<{ code: number | null; signal: NodeJS.Signals | null; output: string }> {
  const args = ['pipeline', 'run', '--branch', BRANCH, '-w', repo.root, '-c', config, '--events', 'ndjson']
  if (options.resume) args.push('--resume')
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--input-type=module', '-e', CLI, ...args],
    {
      cwd: repoRoot,
      env: { ...process.env, ...(options.killAt === undefined ? {} : { WMS_PIPELINE_KILL_AT: options.killAt }) },
    },
  )
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8')
    if (options.killOnEvent !== undefined && output.includes(`"type":"${options.killOnEvent}"`)) child.kill('SIGKILL')
  })
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, output })))
}

describe('kill -9 at every step, then --resume: the workspace ends consistent', () => {
  const tempDir = useTempDirs()

  it('finishes the pipeline after a SIGKILL at each step boundary and in the middle of training', async () => {
    const base = await tempDir()
    const repo = await createPipelineRepo(base)
    const config = path.join(base, 'tiny.json')
    await writeFile(config, JSON.stringify(TINY_TRAINING))
    const mainBefore = await originRef(repo, 'main')
    await pushDataBranch(repo, BRANCH, { pairs: 3, startId: 100 })
    const { store } = await openWorkspaceTracking(repo.root)
    const productionAlias = path.join(base, 'mlruns', 'models', 'water-meter-segmentation', 'aliases', 'production')

    const kills: { killAt?: string; killOnEvent?: string }[] = [
      { killAt: 'after:merge' },
      { killAt: 'after:qa' },
      { killOnEvent: 'epoch-end' },
      { killAt: 'after:train' },
      { killAt: 'after:gate' },
      { killAt: 'after:promote' },
      { killAt: 'after:publish' },
    ]
    for (const [index, kill] of kills.entries()) {
      const run = await runChild(repo, config, { resume: index > 0, ...kill })
      expect(run.signal, `${JSON.stringify(kill)}: ${run.output.slice(-2000)}`).toBe('SIGKILL')
      const record = await readRunRecord(repo.root, BRANCH)
      expect(record?.status, JSON.stringify(kill)).toBe('running')
      expect(record?.verdict).toBeNull()
      // Until publish, main shows nothing of the run — not even after the promotion.
      if (kill.killAt !== 'after:publish') expect(await originRef(repo, 'main')).toBe(mainBefore)
      if (kill.killAt === 'after:promote') expect(await readFile(productionAlias, 'utf8')).toMatch(/^\d+$/)
    }
    // The run killed in training was left RUNNING; the resume ended it.
    const final = await runChild(repo, config, { resume: true })
    expect(final.code, final.output.slice(-3000)).toBe(0)
    const record = await readRunRecord(repo.root, BRANCH)
    expect(record?.verdict?.outcome).toBe('merged')
    const main = await originRef(repo, 'main')
    const origin = openRepo(repo.origin)
    expect((await origin.raw(['rev-list', '--count', `${mainBefore}..${main}`])).trim()).toBe('1')
    expect(await originRef(repo, `refs/heads/${BRANCH}`)).toBe('')
    expect(await worktrees(repo)).toEqual([repo.root])
    const history = (await origin.raw(['show', `${main}:models/production-history.jsonl`])).trim().split('\n')
    expect(history).toHaveLength(1)
    expect(JSON.parse(history[0] ?? '{}')).toMatchObject({ run_id: record?.train?.runId })
    const experiment = await store.getExperimentByName('water-meter-segmentation')
    const runs = await store.searchRuns({ experimentIds: [experiment?.experimentId ?? ''] })
    const statuses = runs.items.map((run) => run.info.status)
    expect(statuses).not.toContain('RUNNING')
    expect(statuses).toContain('KILLED')
  }, 300_000)
})
