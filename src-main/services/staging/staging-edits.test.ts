import { mkdtemp, readdir, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { simpleGit } from 'simple-git'
import { afterEach, describe, expect, it } from 'vitest'
import { createDemoWorkspace } from 'training-runner'
import { EventHub } from '../../ipc/event-hub.js'
import { fakeStagingDeps } from '../../test-support/fake-staging-deps.js'
import { StagingService, type StagingServiceOptions } from './staging-service.js'
import { SubmitService } from './submit-service.js'

const bytes = (text: string): Uint8Array => Buffer.from(text)

/** Issue 23: fixes on add, undo, GPS by opt-in only, submitting the others, and "already submitted". */
describe('staging edits', () => {
  const dirs: string[] = []
  const services: { dispose(): unknown }[] = []
  afterEach(async () => {
    for (const service of services.splice(0).reverse()) await service.dispose()
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
  })
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'wms-edits-'))
    dirs.push(dir)
    return dir
  }
  const open = async (dir: string, extra: Partial<StagingServiceOptions> = {}) => {
    const service = await StagingService.open({ dir, events: new EventHub(), ...fakeStagingDeps(), ...extra })
    services.push(service)
    return service
  }

  it('fixes format-only findings on add, keeps the original until submit, and never on the undo stack', async () => {
    const dir = await tempDir()
    const service = await open(dir)
    await service.addFiles([
      { path: 'images/a-warn.jpg', bytes: bytes('photo') },
      { path: 'masks/a-warn.jpg', bytes: bytes('jpeg mask') },
      { path: 'images/b-bad.jpg', bytes: bytes('broken') },
      { path: 'masks/b-bad.png', bytes: bytes('mask') },
    ])
    await service.whenIdle()
    const snapshot = service.snapshot()
    expect(snapshot.pairs.map((pair) => [pair.id, pair.status, pair.autoFixed ?? false])).toEqual([
      ['a-warn', 'ok', true],
      ['b-bad', 'error', false],
    ])
    expect(snapshot.pairs[0]).toMatchObject({ fixes: ['binarise-mask'], mask: { relpath: 'masks/a-warn.png' } })
    // "Needs attention" is the one pair a person must look at.
    expect(snapshot.summary.byStatus).toMatchObject({ ok: 1, warning: 0, error: 1 })
    expect(snapshot.undo).toBeNull()
    // The original JPEG mask is still kept (as the fixed file's original).
    expect(service.store.files['masks/a-warn.png']?.original?.originalName).toBe('a-warn.jpg')
    expect((await readdir(path.join(dir, 'blobs'))).length).toBe(5)
  })

  it('undoes a fix, a replacement and a removal, newest first, and does not fix on add again', async () => {
    const service = await open(await tempDir())
    await service.setSettings({ fixOnAdd: false })
    await service.addFiles([
      { path: 'images/m-warn.jpg', bytes: bytes('photo') },
      { path: 'masks/m-warn.jpg', bytes: bytes('jpeg mask') },
      { path: 'images/k.jpg', bytes: bytes('k') },
      { path: 'masks/k.png', bytes: bytes('K') },
    ])
    await service.whenIdle()
    await service.applyFixes(['m-warn'])
    await service.replacePairFile('k', 'mask', { path: 'new.png', bytes: bytes('new mask') })
    await service.removePairs(['k'])
    await service.whenIdle()
    expect(service.snapshot()).toMatchObject({ undo: 'Removed k', pairs: [{ id: 'm-warn', status: 'ok' }] })

    expect(await service.undo()).toEqual({ undone: 'Removed k' })
    await service.whenIdle()
    expect(service.store.files['masks/k.png']?.originalName).toBe('new.png')
    expect(await service.undo()).toEqual({ undone: 'Replaced the mask of k' })
    await service.whenIdle()
    expect(service.store.files['masks/k.png']?.originalName).toBe('k.png')

    await service.setSettings({ fixOnAdd: true })
    expect(await service.undo()).toEqual({ undone: 'Fixed m-warn' })
    await service.whenIdle()
    // Back to the JPEG mask and its warning; the fixes on add leave an undone fix alone.
    const pair = service.snapshot().pairs.find((candidate) => candidate.id === 'm-warn')
    expect(pair).toMatchObject({ status: 'warning', fixes: [], mask: { relpath: 'masks/m-warn.jpg' } })
    expect(await service.undo()).toEqual({ undone: null })
  })

  it('says why a fix did nothing', async () => {
    const service = await open(await tempDir())
    await service.addFiles([
      { path: 'images/x-bad.jpg', bytes: bytes('x') },
      { path: 'masks/x-bad.png', bytes: bytes('X') },
    ])
    await service.whenIdle()
    expect(await service.applyFixes(['x-bad'])).toMatchObject({
      fixed: 0,
      results: [{ id: 'x-bad', did: [], skipped: 'errors a fix cannot remove (file/corrupt)' }],
    })
  })

  it('keeps GPS off a branch unless allowed, submits the others under the branch name reviewed, and flags a re-add as already submitted', async () => {
    const base = await tempDir()
    const layout = await createDemoWorkspace(path.join(base, 'demo'), { pairs: 1, incoming: 0 })
    const datasetRoot = 'data/training'
    const service = await open(path.join(layout.workspace, '.wms', 'staging'), {
      submitted: { workspaceRoot: layout.workspace, datasetRoot },
    })
    const submit = new SubmitService(service, { workspaceRoot: layout.workspace, datasetRoot })
    services.push(submit)
    await service.addFiles([
      { path: 'images/ok1.jpg', bytes: bytes('1') },
      { path: 'masks/ok1.png', bytes: bytes('1m') },
      { path: 'images/bad1.jpg', bytes: bytes('2') },
      { path: 'masks/bad1.png', bytes: bytes('2m') },
    ])
    await service.whenIdle()
    const all = await submit.preview()
    expect(all.blocked).toEqual([{ id: 'bad1', reason: 'corrupt or truncated' }])
    expect(all.blockers.join(' ')).toMatch(/1 pair has QA errors/)
    const others = await submit.preview({ onlyReady: true })
    expect(others).toMatchObject({ blockers: [], pairs: 1, pairIds: ['ok1'], ready: 1 })

    const state = await submit.start({ onlyReady: true, branch: others.branch })
    expect(state).toMatchObject({ phase: 'pushed', branch: others.branch, pairIds: ['ok1'] })
    expect(service.snapshot().pairs.map((pair) => pair.id)).toEqual(['bad1'])

    // The same pair again, right after its push: already submitted, on that branch.
    await service.addFiles([
      { path: 'images/ok1.jpg', bytes: bytes('1') },
      { path: 'masks/ok1.png', bytes: bytes('1m') },
    ])
    await service.refreshSubmitted()
    await service.whenIdle()
    const again = service.snapshot().pairs.find((pair) => pair.id === 'ok1')
    expect(again).toMatchObject({ status: 'error', issues: [{ ruleId: 'staging/already-submitted' }] })
    expect(again?.issues[0]?.details).toEqual({ branch: others.branch })
    // Once the pipeline has merged it (and deleted the branch), it is new again.
    await simpleGit(layout.workspace).raw(['push', 'origin', '--delete', others.branch])
    await service.refreshSubmitted()
    await service.whenIdle()
    expect(service.snapshot().pairs.find((pair) => pair.id === 'ok1')?.status).toBe('ok')
  })

  it('refuses photos with a GPS location unless the user allows them', async () => {
    const { freezeSubmittable } = await import('./submittable.js')
    const gpsIssue = {
      ruleId: 'privacy/gps' as const,
      severity: 'warning' as const,
      sampleId: 'g',
      message: 'GPS',
      details: {},
      fixable: true,
    }
    const file = (relpath: string) => ({ relpath, originalName: relpath, md5: relpath, bytes: 1, fixed: false })
    const pair = {
      id: 'g',
      image: file('images/g.jpg'),
      mask: file('masks/g.png'),
      status: 'warning' as const,
      issues: [gpsIssue],
      fixes: [],
      replacement: false,
      revision: 1,
    }
    const input = {
      pairs: [pair],
      seen: () => ({ image: 'images/g.jpg', mask: 'masks/g.png' }),
      stored: (relpath: string) => ({ ...file(relpath), blob: relpath }),
    }
    const refused = freezeSubmittable(input)
    expect(refused.frozen).toEqual([])
    expect(refused.gps).toEqual(['g'])
    expect(refused.blockers.join(' ')).toMatch(/1 photo records where it was taken \(GPS\)/)
    const allowed = freezeSubmittable(input, { includeGps: true })
    expect(allowed).toMatchObject({ blockers: [], ready: 1 })
  })
})
