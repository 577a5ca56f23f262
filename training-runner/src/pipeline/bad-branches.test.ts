import { access, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { setTimeout as delay } from 'node:timers/promises'
import { beforeEach, describe, expect, it } from 'vitest'
import type { PipelineRunRecord } from '@wms/shared/pipeline/run-record'
import { openRepo } from '../adapters/git/run-git.js'
import { collectingSink } from '../events/event-sink.js'
import type { DatasetRepo } from '../../test/helpers/dataset-repo.js'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import {
  createPipelineRepo,
  originRef,
  pushDataBranch,
  scoresByTrainingData,
  TINY_TRAINING,
  worktrees,
} from '../../test/helpers/pipeline-repo.js'
import { pipelineDir } from './run-record-file.js'
import { runPipeline } from './run-pipeline.js'

const tempDir = useTempDirs()

describe('bad data branches end with a verdict, main unchanged, nothing left behind', () => {
  let repo: DatasetRepo
  let main: string
  beforeEach(async () => {
    repo = await createPipelineRepo(await tempDir())
    main = await originRef(repo, 'main')
  }, 60_000)

  const run = (branch: string, settleMs = 0): Promise<PipelineRunRecord> =>
    runPipeline({
      root: repo.root,
      branch,
      settleMs,
      events: collectingSink(),
      ports: scoresByTrainingData(),
      trainingOverrides: TINY_TRAINING,
    })

  async function expectRefusedCleanly(record: PipelineRunRecord, step: string): Promise<void> {
    expect(record.verdict?.outcome, JSON.stringify(record.verdict)).toBe('refused')
    expect(record.verdict?.step).toBe(step)
    expect(record.verdict?.action).not.toBe('')
    expect(record.status).toBe('done')
    expect(record.train).toBeNull()
    expect(await originRef(repo, 'main')).toBe(main)
    expect(await originRef(repo, `refs/heads/${record.branch}`)).not.toBe('')
    expect(await worktrees(repo)).toEqual([repo.root])
    await expect(access(path.join(pipelineDir(repo.root), 'work', record.branch.replace('/', '--')))).rejects.toThrow()
  }

  it('pairs that fail QA: the findings name the pairs', async () => {
    await pushDataBranch(repo, 'data/qa-fails', {
      pairs: 1,
      startId: 300,
      extraFiles: { 'images/broken_1.jpg': 'not a picture', 'masks/broken_1.png': 'not a mask' },
    })
    const record = await run('data/qa-fails')
    await expectRefusedCleanly(record, 'qa')
    expect(record.verdict?.headline).toMatch(/1 pair\(s\) fail QA/)
    expect(record.verdict?.details.join('\n')).toContain('broken_1')
    expect(record.qa?.passed).toBe(false)
  }, 60_000)

  it('a file already in the dataset with other content', async () => {
    const taken = repo.pairs[0]?.image ?? ''
    await pushDataBranch(repo, 'data/collides', { pairs: 1, startId: 310, extraFiles: { [taken]: 'other bytes' } })
    const record = await run('data/collides')
    await expectRefusedCleanly(record, 'merge')
    expect(record.verdict?.headline).toContain('changes files that are already in the dataset')
    expect(record.verdict?.details.join('\n')).toContain(taken)
  }, 60_000)

  it('no new pairs', async () => {
    const git = openRepo(repo.root)
    await git.checkout(['-b', 'data/empty', 'main'])
    await git.raw(['commit', '--allow-empty', '-m', 'nothing'])
    await git.push('origin', 'data/empty')
    await git.checkout('main')
    const record = await run('data/empty')
    await expectRefusedCleanly(record, 'merge')
    expect(record.verdict?.headline).toContain('adds no new pairs')
  }, 60_000)

  it('a branch not based on main', async () => {
    const git = openRepo(repo.root)
    await git.raw(['checkout', '--orphan', 'data/orphan'])
    await git.raw(['rm', '-rf', '--cached', '--quiet', '.'])
    await writeFile(path.join(repo.root, 'stray.txt'), 'unrelated history\n')
    await git.raw(['add', 'stray.txt'])
    await git.raw(['commit', '-m', 'unrelated'])
    await git.push('origin', 'data/orphan')
    await git.raw(['checkout', '--force', 'main'])
    const record = await run('data/orphan')
    await expectRefusedCleanly(record, 'merge')
    expect(record.verdict?.headline).toContain('is not based on main')
  }, 60_000)

  it('a branch that also changes other files', async () => {
    const git = openRepo(repo.root)
    await git.checkout(['-b', 'data/sneaky', 'main'])
    await writeFile(path.join(repo.root, 'wms.config.json'), '{"version": 1}\n')
    await git.raw(['commit', '-am', 'change the config'])
    await git.push('origin', 'data/sneaky')
    await git.checkout('main')
    const record = await run('data/sneaky')
    await expectRefusedCleanly(record, 'merge')
    expect(record.verdict?.details).toEqual(['changes wms.config.json'])
  }, 60_000)

  it('a push still arriving: the branch moves while the pipeline starts', async () => {
    await pushDataBranch(repo, 'data/arriving', { pairs: 1, startId: 320 })
    const running = run('data/arriving', 1_500)
    await delay(300)
    const git = openRepo(repo.root)
    await git.checkout('data/arriving')
    await git.raw(['commit', '--allow-empty', '-m', 'the rest of the push'])
    await git.push('origin', 'data/arriving')
    await git.checkout('main')
    const record = await running
    await expectRefusedCleanly(record, 'merge')
    expect(record.verdict?.headline).toContain('was still arriving')
  }, 60_000)
})
