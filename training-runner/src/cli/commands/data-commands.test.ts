import { describe, expect, it } from 'vitest'
import { parseNdjsonLine } from '@wms/shared/pipeline/events'
import { useTempDirs } from '../../../test/helpers/temp-dir.js'
import { createDataBranch, createDatasetRepo } from '../../../test/helpers/dataset-repo.js'
import { runCliIn } from '../../../test/helpers/cli-capture.js'

const cli = (cwd: string, ...argv: string[]) => runCliIn(cwd, argv)

describe('training-runner data …', () => {
  const tempDir = useTempDirs()

  it('status, pull, merge, diff on a workspace with a local remote', async () => {
    const repo = await createDatasetRepo(await tempDir(), { pairs: 2 })
    const cwd = repo.root

    const before = await cli(cwd, '--json', 'data', 'status')
    expect(before.code).toBe(0)
    expect(JSON.parse(before.out)).toMatchObject({
      folders: [{ name: 'images', state: 'not-pulled' }, { state: 'not-pulled' }],
    })

    const pull = await cli(cwd, 'data', 'pull')
    expect(pull.code).toBe(0)
    expect(pull.out).toContain('Pulled 4 objects')
    expect(JSON.parse((await cli(cwd, '--json', 'data', 'status', '--check-remote')).out)).toMatchObject({
      folders: [
        { state: 'clean', missingInRemote: 0 },
        { state: 'clean', missingInRemote: 0 },
      ],
    })

    await createDataBranch(cwd, { pairs: 2, startId: 40 })
    const merge = await cli(cwd, '--events', 'ndjson', 'data', 'merge', '--commit')
    expect(merge.code).toBe(0)
    const events = merge.out
      .split('\n')
      .map(parseNdjsonLine)
      .filter((event) => event !== undefined)
    expect(events.some((event) => event.type === 'progress' && event.unit === 'bytes' && event.step === 'merge')).toBe(
      true,
    )
    const done = events.at(-1)
    expect(done).toMatchObject({
      type: 'done',
      status: 'ok',
      result: { status: 'merged', byFolder: { images: { new: 2, total: 4 } } },
    })

    const diff = await cli(cwd, 'data', 'diff', 'origin/main', 'HEAD')
    expect(diff.code).toBe(0)
    expect(diff.out).toContain('4 added, 0 removed, 0 changed, 4 unchanged')
    expect(diff.out).toContain('images   +2  -0  ~0  =2')
    expect(diff.out).toMatch(/\+ images\/id_40_value_\d+_\d+\.jpg/)

    const again = await cli(cwd, 'data', 'merge')
    expect(again.code).toBe(0)
    expect(again.out).toContain('2 new images')
  })

  it('fails a collision with the files listed, and an empty branch unless --allow-empty', async () => {
    const repo = await createDatasetRepo(await tempDir(), { pairs: 1 })
    await createDataBranch(repo.root, { pairs: 0, startId: 5, extraFiles: { [repo.pairs[0]!.mask]: 'different' } })
    const collision = await cli(repo.root, 'data', 'merge')
    expect(collision.code).toBe(1)
    expect(collision.err).toContain(`${repo.pairs[0]!.mask}: already in the dataset with different content`)
    expect(collision.err).toContain('replacements.yaml')

    const empty = await tempDir()
    const repo2 = await createDatasetRepo(empty, { pairs: 1 })
    await createDataBranch(repo2.root, { pairs: 0, startId: 6, extraFiles: { 'images/README.txt': 'not an image' } })
    const nothing = await cli(repo2.root, 'data', 'merge')
    expect(nothing.code).toBe(1)
    expect(nothing.out).toContain('Nothing to merge')
    expect((await cli(repo2.root, 'data', 'merge', '--allow-empty')).code).toBe(0)
  })
})
