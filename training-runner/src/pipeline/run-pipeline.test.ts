import { readFile, stat } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { openRepo } from '../adapters/git/run-git.js'
import { collectingSink } from '../events/event-sink.js'
import { openWorkspaceTracking } from '../registry/open-workspace-tracking.js'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import {
  createPipelineRepo,
  originRef,
  pushDataBranch,
  scoresByTrainingData,
  TINY_TRAINING,
  worktrees,
} from '../../test/helpers/pipeline-repo.js'
import { LocalRunner } from './local-runner.js'
import { readRunRecord, reportFile } from './run-record-file.js'
import { runPipeline } from './run-pipeline.js'

const tempDir = useTempDirs()

describe('the data pipeline on a local workspace (real git, DVC remote, MLflow FileStore, training)', () => {
  it('merges, trains, gates, promotes and publishes in one commit on main; a branch that is not better leaves main alone', async () => {
    const repo = await createPipelineRepo(await tempDir())
    const mainBefore = await originRef(repo, 'main')
    const commit = await pushDataBranch(repo, 'data/20260101-000001', { pairs: 4, startId: 100 })
    const events = collectingSink()

    const record = await runPipeline({
      root: repo.root,
      branch: 'data/20260101-000001',
      events,
      ports: scoresByTrainingData(),
      trainingOverrides: TINY_TRAINING,
    })

    expect(record.verdict?.outcome, JSON.stringify(record.verdict)).toBe('merged')
    expect(record.commit).toBe(commit)
    expect(Object.values(record.steps).map((step) => step.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok'])
    expect(record.merge?.images).toEqual({ existing: 8, new: 4, replaced: 0, total: 12 })
    // One commit on main, on top of the old main, with the pointer files and the production files only.
    const main = await originRef(repo, 'main')
    expect(main).toBe(record.publish?.mainCommit)
    const origin = openRepo(repo.origin)
    expect((await origin.raw(['rev-parse', `${main}^`])).trim()).toBe(mainBefore)
    const changed = (await origin.raw(['diff', '--name-only', mainBefore, main])).trim().split('\n')
    expect(changed.sort()).toEqual([
      'data/training/images.dvc',
      'data/training/masks.dvc',
      'model-metadata.json',
      'models/production-history.jsonl',
    ])
    const metadata = JSON.parse(await origin.raw(['show', `${main}:model-metadata.json`])) as {
      run_id: string
      model_version: string
    }
    expect(metadata.run_id).toBe(record.train?.runId)
    expect(await origin.raw(['show', `${main}:data/training/images.dvc`])).toContain('nfiles: 12')
    // Production moved in the registry; the branch is gone; nothing is left behind; the workspace followed main.
    const { store } = await openWorkspaceTracking(repo.root)
    expect((await store.getRun(record.train?.runId ?? '')).info.status).toBe('FINISHED')
    expect(await originRef(repo, 'refs/heads/data/20260101-000001')).toBe('')
    expect(await worktrees(repo)).toEqual([repo.root])
    expect((await openRepo(repo.root).revparse(['main'])).trim()).toBe(main)
    expect(await readFile(path.join(repo.root, 'data/training/images.dvc'), 'utf8')).toContain('nfiles: 12')
    // The report is stored with the record, with each section.
    const report = await readFile(reportFile(repo.root, record.branch), 'utf8')
    expect(report).toContain('data: add 4 new training images (model improved)')
    expect(report).toMatch(/Data quality[\s\S]*Dataset[\s\S]*Quality gate passed[\s\S]*Steps/)
    expect((await stat(reportFile(repo.root, record.branch))).size).toBeLessThan(60 * 1024)
    // Every step announced itself, and every event names the branch.
    const ends = events.events.flatMap((event) => (event.type === 'step-end' ? [event.step] : []))
    expect(ends).toEqual(expect.arrayContaining(['merge', 'qa', 'train', 'gate', 'promote', 'publish']))
    expect(events.events.every((event) => event.branch === 'data/20260101-000001')).toBe(true)

    // A second branch whose model is no better: not promoted, main unchanged, the branch kept, the run finished.
    await pushDataBranch(repo, 'data/20260101-000002', { pairs: 2, startId: 200 })
    const second = await runPipeline({
      root: repo.root,
      branch: 'data/20260101-000002',
      events: collectingSink(),
      ports: scoresByTrainingData({ flat: true }),
      trainingOverrides: TINY_TRAINING,
    })
    expect(second.verdict?.outcome).toBe('not-improved')
    expect(second.verdict?.action).toContain('Main is unchanged')
    expect(second.steps.promote.status).toBe('skipped')
    expect(await originRef(repo, 'main')).toBe(main)
    expect(await originRef(repo, 'refs/heads/data/20260101-000002')).not.toBe('')
    expect((await store.getRun(second.train?.runId ?? '')).info.status).toBe('FINISHED')
    expect(await worktrees(repo)).toEqual([repo.root])
    expect((await readRunRecord(repo.root, 'data/20260101-000002'))?.status).toBe('done')
  }, 120_000)

  it('runs two branches pushed at once one after the other, the second on top of the first one’s merge', async () => {
    const repo = await createPipelineRepo(await tempDir())
    await pushDataBranch(repo, 'data/20260101-000001', { pairs: 3, startId: 100 })
    await pushDataBranch(repo, 'data/20260101-000002', { pairs: 3, startId: 200 })
    const order: string[] = []
    const runner = new LocalRunner({
      root: repo.root,
      events: collectingSink(),
      execute: async (branch, resume, signal) => {
        order.push(branch)
        return runPipeline({
          root: repo.root,
          branch,
          resume,
          signal,
          events: collectingSink(),
          ports: scoresByTrainingData(),
          trainingOverrides: TINY_TRAINING,
        })
      },
    })

    await runner.runPending()

    expect(order).toEqual(['data/20260101-000001', 'data/20260101-000002'])
    const first = await readRunRecord(repo.root, 'data/20260101-000001')
    const second = await readRunRecord(repo.root, 'data/20260101-000002')
    expect(first?.verdict?.outcome).toBe('merged')
    expect(second?.verdict?.outcome, JSON.stringify(second?.verdict)).toBe('merged')
    expect(second?.merge?.main).toBe(first?.publish?.mainCommit)
    expect(second?.merge?.images).toEqual({ existing: 11, new: 3, replaced: 0, total: 14 })
    expect(await originRef(repo, 'main')).toBe(second?.publish?.mainCommit)
    expect(second?.promote?.previousVersion).toBe(first?.promote?.version)
    // Nothing runs twice: the branches are gone and their records say done.
    await runner.runPending()
    expect(order).toHaveLength(2)
  }, 120_000)
})
