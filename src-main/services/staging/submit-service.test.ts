import { chmod, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { commitDataBranch } from 'training-runner'
import { EventHub } from '../../ipc/event-hub.js'
import { fakeStagingDeps } from '../../test-support/fake-staging-deps.js'
import { createGitWorkspace, type GitWorkspace } from '../../test-support/git-workspace.js'
import { useTempDirs } from '../../test-support/temp-dirs.js'
import { StagingService } from './staging-service.js'
import { SubmitService } from './submit-service.js'

const bytes = (text: string): Uint8Array => Buffer.from(text)
const pair = (stem: string, image = `${stem}-image`, mask = `${stem}-mask`) => [
  { path: `images/${stem}.jpg`, bytes: bytes(image) },
  { path: `masks/${stem}.png`, bytes: bytes(mask) },
]

describe('SubmitService under faults and races', () => {
  const tempDir = useTempDirs()
  const disposables: { dispose(): unknown }[] = []
  afterEach(async () => {
    for (const item of disposables.splice(0).reverse()) await item.dispose()
  })

  const setUp = async (repo?: GitWorkspace) => {
    const layout = repo ?? (await createGitWorkspace(await tempDir()))
    const staging = await StagingService.open({
      dir: path.join(layout.workspace, '.wms', 'staging'),
      events: new EventHub(),
      ...fakeStagingDeps(),
    })
    const submit = new SubmitService(staging, { workspaceRoot: layout.workspace, datasetRoot: 'data/training' })
    disposables.push(staging, submit)
    return { layout, staging, submit }
  }
  const filesOn = async (layout: GitWorkspace, branch: string): Promise<string[]> =>
    (await layout.git(layout.origin, 'ls-tree', '-r', '--name-only', branch, 'data/training'))
      .split('\n')
      .filter((line) => line !== '')
  const showOn = (layout: GitWorkspace, branch: string, file: string) =>
    layout.git(layout.origin, 'show', `${branch}:data/training/${file}`)

  it('keeps a mask dropped again during the push staged as a new revision, and pushes the frozen one', async () => {
    const { layout, staging, submit } = await setUp()
    // The remote takes a while to accept the push, as a real one over a network does.
    const hook = path.join(layout.origin, 'hooks', 'pre-receive')
    await writeFile(hook, '#!/bin/sh\ncat >/dev/null\nsleep 1\n')
    await chmod(hook, 0o755)
    await staging.addFiles(pair('a', 'photo', 'old mask'))
    await staging.whenIdle()

    const pushed = submit.start()
    while (staging.store.submission?.phase !== 'pushing') await new Promise((resolve) => setTimeout(resolve, 5))
    const redrop = await staging.addFiles([{ path: 'masks/a.png', bytes: bytes('corrected mask') }])
    expect(redrop.added).toMatchObject([{ id: 'a', replaced: true }])
    const state = await pushed
    expect(state.phase).toBe('pushed')

    // The branch holds what QA passed; the correction is still staged, with its bytes, as a new revision.
    expect(await showOn(layout, state.branch, 'masks/a.png')).toBe('old mask')
    const staged = staging.snapshot().pairs
    expect(staged).toMatchObject([{ id: 'a', mask: { relpath: 'masks/a.png' } }])
    expect(await readFile(staging.store.blobPath('masks/a.png'), 'utf8')).toBe('corrected mask')
  })

  it('submits exactly the snapshot that passed QA: a file added just after submit:start stays staged', async () => {
    const { layout, staging, submit } = await setUp()
    await staging.addFiles(pair('checked'))
    await staging.whenIdle()

    const started = submit.start()
    // A few milliseconds later, before QA could look at it.
    const late = staging.addFiles([...pair('bad-unchecked')])
    const state = await started
    await late
    expect(state).toMatchObject({ phase: 'pushed', pairIds: ['checked'] })
    expect(await filesOn(layout, state.branch)).toEqual([
      'data/training/images/checked.jpg',
      'data/training/masks/checked.png',
    ])
    expect(staging.snapshot().pairs.map((staged) => staged.id)).toEqual(['bad-unchecked'])
  })

  it('refuses to push bytes QA did not see: a blob replaced on disk, or a link to a private file', async () => {
    const { layout, staging, submit } = await setUp()
    const secret = path.join(path.dirname(layout.workspace), 'private.key')
    await writeFile(secret, 'secret key material')
    await staging.addFiles([...pair('swapped'), ...pair('linked')])
    await staging.whenIdle()
    await writeFile(staging.store.blobPath('masks/swapped.png'), 'bytes QA never saw')

    const swapped = await submit.start()
    expect(swapped).toMatchObject({ phase: 'failed', error: { code: 'storage/integrity' } })
    expect(swapped.error?.message).toMatch(/masks\/swapped\.png changed after it was checked/)

    await submit.dismiss()
    await staging.removePairs(['swapped'])
    await staging.whenIdle()
    const linked = staging.store.blobPath('images/linked.jpg')
    await rm(linked)
    await symlink(secret, linked)
    const followed = await submit.start()
    expect(followed).toMatchObject({ phase: 'failed', error: { code: 'storage/integrity' } })
    expect(followed.error?.message).toMatch(/cannot be read safely/)
    // Nothing left the machine, no branch was made, and the pair is still staged.
    expect(await layout.git(layout.origin, 'branch', '--list', 'data/*')).toBe('')
    expect(await layout.git(layout.workspace, 'branch', '--list', 'data/*')).toBe('')
    expect(staging.snapshot().pairs.map((staged) => staged.id)).toEqual(['linked'])
  })

  it('rolls back a submission that a crash interrupted before its branch existed, and says so', async () => {
    const first = await setUp()
    await first.staging.addFiles(pair('p'))
    await first.staging.whenIdle()
    // The state kill -9 leaves mid-commit: the submission recorded as committing, no branch yet.
    const { frozen } = first.staging.submittable()
    const branch = 'data/20260102-030405'
    await first.staging.store.setSubmission(
      { branch, message: 'm', phase: 'committing', attempts: 0, pairIds: ['p'] },
      frozen,
    )
    for (const item of disposables.splice(0).reverse()) await item.dispose()

    const second = await setUp(first.layout)
    await second.submit.resume()
    const submission = second.staging.snapshot().submission
    expect(submission).toMatchObject({ phase: 'failed', error: { code: 'cancelled' } })
    expect(submission?.error?.message).toMatch(/stopped while committing .* nothing was pushed/)
    expect(second.staging.snapshot().pairs.map((staged) => staged.id)).toEqual(['p'])
    expect(await first.layout.git(first.layout.workspace, 'branch', '--list', 'data/*')).toBe('')
  })

  it('resumes the push of a submission whose branch was complete when the app was killed', async () => {
    const first = await setUp()
    await first.staging.addFiles(pair('p'))
    await first.staging.whenIdle()
    const { frozen } = first.staging.submittable()
    const branch = 'data/20260102-030405'
    await first.staging.store.setSubmission(
      { branch, message: 'm', phase: 'committing', attempts: 0, pairIds: ['p'] },
      frozen,
    )
    // Killed right after the branch was made, before the state said so.
    const blobs = path.join(first.staging.store.dir, 'blobs')
    await commitDataBranch({
      workspace: first.layout.workspace,
      datasetRoot: 'data/training',
      branch,
      message: 'm',
      files: frozen.flatMap((frozenPair) =>
        frozenPair.files.map((file) => ({ relpath: file.relpath, source: path.join(blobs, file.blob) })),
      ),
    })
    for (const item of disposables.splice(0).reverse()) await item.dispose()

    const second = await setUp(first.layout)
    await second.submit.resume()
    expect(second.staging.snapshot().submission).toMatchObject({ phase: 'pushing', notice: /push was resumed/ })
    const state = await second.submit.retry()
    expect(state.phase).toBe('pushed')
    expect(await filesOn(first.layout, branch)).toEqual(['data/training/images/p.jpg', 'data/training/masks/p.png'])
    expect(second.staging.snapshot().pairs).toEqual([])
  })

  it('removes a half-made branch that does not hold the submission, and keeps the pairs', async () => {
    const first = await setUp()
    await first.staging.addFiles(pair('p'))
    await first.staging.whenIdle()
    const { frozen } = first.staging.submittable()
    const branch = 'data/20260102-030405'
    await first.staging.store.setSubmission(
      { branch, message: 'm', phase: 'committing', attempts: 0, pairIds: ['p'] },
      frozen,
    )
    const other = path.join(path.dirname(first.layout.workspace), 'other.jpg')
    await writeFile(other, 'something else')
    await commitDataBranch({
      workspace: first.layout.workspace,
      datasetRoot: 'data/training',
      branch,
      message: 'm',
      files: [{ relpath: 'images/p.jpg', source: other }],
    })
    for (const item of disposables.splice(0).reverse()) await item.dispose()

    const second = await setUp(first.layout)
    await second.submit.resume()
    expect(second.staging.snapshot().submission).toMatchObject({ phase: 'failed', error: { code: 'cancelled' } })
    expect(await first.layout.git(first.layout.workspace, 'branch', '--list', 'data/*')).toBe('')
    expect(second.staging.snapshot().pairs.map((staged) => staged.id)).toEqual(['p'])
    // The blobs the rolled-back submission kept are released, the pair's own stay.
    expect((await readdir(path.join(second.staging.store.dir, 'blobs'))).length).toBe(2)
  })
})
