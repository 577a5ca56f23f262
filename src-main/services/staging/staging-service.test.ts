import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { simpleGit } from 'simple-git'
import { afterEach, describe, expect, it } from 'vitest'
import type { EventPayloadOf } from '@wms/shared/ipc/contract'
import { createDemoWorkspace } from 'training-runner'
import { EventHub } from '../../ipc/event-hub.js'
import { fakeQa, fakeStagingDeps } from '../../test-support/fake-staging-deps.js'
import type { QaChecker } from './qa-checker.js'
import { StagingService } from './staging-service.js'
import { SubmitService } from './submit-service.js'

const bytes = (text: string): Uint8Array => Buffer.from(text)

describe('StagingService', () => {
  const dirs: string[] = []
  const services: { dispose(): unknown }[] = []
  afterEach(async () => {
    for (const service of services.splice(0)) await service.dispose()
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
  })
  const tempDir = async (): Promise<string> => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'wms-staging-'))
    dirs.push(dir)
    return dir
  }
  const open = async (dir: string, qa: QaChecker = fakeQa()) => {
    const events = new EventHub()
    const updates: EventPayloadOf<'staging:updated'>[] = []
    // Only the staging area's own channel; the pipeline's events go through the same hub.
    events.subscribe((channel, payload) => {
      if (channel === 'staging:updated') updates.push(payload as EventPayloadOf<'staging:updated'>)
    })
    const service = await StagingService.open({
      dir,
      events,
      ...fakeStagingDeps(qa),
    })
    services.push(service)
    return { service, updates, qa }
  }

  it('stages files, streams QA verdicts and summarises them', async () => {
    const { service, updates } = await open(await tempDir())
    const result = await service.addFiles([
      { path: 'set/images/good.jpg', bytes: bytes('g') },
      { path: 'set/masks/good.png', bytes: bytes('G') },
      { path: 'set/images/bad.jpg', bytes: bytes('b') },
      { path: 'set/masks/bad.png', bytes: bytes('B') },
      { path: 'lonely_image.jpg', bytes: bytes('l') },
      { path: 'mystery.jpg', bytes: bytes('?') },
    ])
    expect(result.added).toHaveLength(5)
    expect(result.rejected.map((file) => file.path)).toEqual(['mystery.jpg'])
    await service.whenIdle()
    const snapshot = service.snapshot()
    expect(snapshot.pairs.map((pair) => [pair.id, pair.status])).toEqual([
      ['bad', 'error'],
      ['good', 'ok'],
    ])
    expect(snapshot.problems.map((problem) => problem.issue.ruleId)).toEqual(['pairing/orphan-image'])
    expect(snapshot.summary).toMatchObject({ pairs: 2, checked: 2, byStatus: { ok: 1, error: 1 } })
    // Renderers heard about both pairs and their final status.
    const seen = new Map(updates.flatMap((update) => update.pairs).map((pair) => [pair.id, pair.status]))
    expect(Object.fromEntries(seen)).toEqual({ bad: 'error', good: 'ok' })
  })

  it('checks files added during a QA pass in one more pass, and ends with every pair judged', async () => {
    const qa = fakeQa()
    const { service } = await open(await tempDir(), qa)
    await service.addFiles([
      { path: 'images/a.jpg', bytes: bytes('a') },
      { path: 'masks/a.png', bytes: bytes('A') },
    ])
    await new Promise((resolve) => setTimeout(resolve, 35))
    await service.addFiles([
      { path: 'images/b-warn.jpg', bytes: bytes('b') },
      { path: 'masks/b-warn.jpg', bytes: bytes('B') },
    ])
    await service.whenIdle()
    expect(qa.runs).toBeGreaterThanOrEqual(2)
    // b-warn's JPEG mask (a format-only finding) was fixed on add: nothing is left for a person.
    expect(service.snapshot().pairs.map((pair) => [pair.status, pair.autoFixed ?? false])).toEqual([
      ['ok', false],
      ['ok', true],
    ])
  })

  it('applies fixes as new revisions and re-checks, keeping the staged set across restarts', async () => {
    const dir = await tempDir()
    const { service } = await open(dir)
    await service.setSettings({ fixOnAdd: false })
    await service.addFiles([
      { path: 'images/m-warn.jpg', bytes: bytes('i') },
      { path: 'masks/m-warn.jpg', bytes: bytes('m') },
    ])
    await service.whenIdle()
    expect(service.snapshot().pairs[0]?.status).toBe('warning')
    expect(await service.applyFixes(['m-warn'])).toEqual({
      fixed: 1,
      unchanged: 0,
      results: [{ id: 'm-warn', did: ['binarise-mask'] }],
    })
    await service.whenIdle()
    const pair = service.snapshot().pairs[0]
    expect(pair).toMatchObject({
      id: 'm-warn',
      fixes: ['binarise-mask'],
      mask: { relpath: 'masks/m-warn.png', fixed: true },
    })

    await service.dispose()
    services.splice(0)
    const reopened = await open(dir)
    await reopened.service.whenIdle()
    expect(reopened.service.snapshot().pairs).toMatchObject([{ id: 'm-warn', fixes: ['binarise-mask'] }])
  })

  it('submits: refuses while errors remain, then pushes a data branch and empties the staging area', async () => {
    const base = await tempDir()
    const layout = await createDemoWorkspace(path.join(base, 'demo'), { pairs: 1, incoming: 0 })
    const { service } = await open(path.join(layout.workspace, '.wms', 'staging'))
    const submit = new SubmitService(service, { workspaceRoot: layout.workspace, datasetRoot: 'data/training' })
    services.push(submit)
    await service.addFiles([
      { path: 'images/ok1.jpg', bytes: bytes('1') },
      { path: 'masks/ok1.png', bytes: bytes('1m') },
      { path: 'images/bad1.jpg', bytes: bytes('2') },
      { path: 'masks/bad1.png', bytes: bytes('2m') },
    ])
    await service.whenIdle()
    const blocked = await submit.preview()
    expect(blocked.blockers.join(' ')).toMatch(/1 pair has QA errors/)
    await expect(submit.start()).rejects.toMatchObject({ code: 'usage/invalid-arguments' })

    await service.removePairs(['bad1'])
    const preview = await submit.preview()
    expect(preview).toMatchObject({
      pairs: 1,
      blockers: [],
      bytes: 3,
      remote: { name: 'origin', url: '../origin.git' },
    })
    expect(preview.files.map((file) => file.relpath)).toEqual(['images/ok1.jpg', 'masks/ok1.png'])
    const state = await submit.start({ message: 'data: add 1 new training pair' })
    expect(state).toMatchObject({ phase: 'pushed', pairIds: ['ok1'] })
    expect(service.snapshot().pairs).toEqual([])
    const onOrigin = await simpleGit(layout.origin).raw(['ls-tree', '-r', '--name-only', state.branch])
    expect(onOrigin).toContain('data/training/images/ok1.jpg')
  })

  it('queues a push that cannot reach the remote, keeps the pairs, and finishes it after a restart', async () => {
    const base = await tempDir()
    const layout = await createDemoWorkspace(path.join(base, 'demo'), { pairs: 1, incoming: 0 })
    const git = simpleGit(layout.workspace)
    // An unreachable remote, the way a laptop offline sees GitHub.
    await git.remote(['set-url', 'origin', 'http://127.0.0.1:9/unreachable.git'])
    const stagingDir = path.join(layout.workspace, '.wms', 'staging')
    const first = await open(stagingDir)
    const submit = new SubmitService(first.service, {
      workspaceRoot: layout.workspace,
      datasetRoot: 'data/training',
      retryDelaysMs: [60_000],
    })
    services.push(submit)
    await first.service.addFiles([
      { path: 'images/p.jpg', bytes: bytes('p') },
      { path: 'masks/p.png', bytes: bytes('P') },
    ])
    await first.service.whenIdle()
    const queued = await submit.start()
    expect(queued).toMatchObject({ phase: 'queued', attempts: 1, error: { code: 'git/offline', retryable: true } })
    expect(first.service.snapshot().pairs).toHaveLength(1)

    // The app restarts while offline; later the network is back.
    submit.dispose()
    await first.service.dispose()
    services.splice(0)
    await git.remote(['set-url', 'origin', '../origin.git'])
    const second = await open(stagingDir)
    const resumed = new SubmitService(second.service, {
      workspaceRoot: layout.workspace,
      datasetRoot: 'data/training',
      retryDelaysMs: [10],
    })
    services.push(resumed)
    expect(second.service.snapshot().submission).toMatchObject({ phase: 'queued', branch: queued.branch })
    expect((await resumed.retry()).phase).toBe('pushed')
    expect(second.service.snapshot().pairs).toEqual([])
    expect(await simpleGit(layout.origin).raw(['branch', '--list', queued.branch])).toContain(queued.branch)
  })

  it('removes files without a partner through remove-pairs and clear, like pairs', async () => {
    const { service, updates } = await open(await tempDir())
    await service.addFiles([
      { path: 'lonely_image.jpg', bytes: bytes('l') },
      { path: 'images/d.jpg', bytes: bytes('d1') },
      { path: 'images/d.png', bytes: bytes('d2') },
      { path: 'masks/d.png', bytes: bytes('dm') },
      { path: 'masks/o.png', bytes: bytes('om') },
      { path: 'images/p.jpg', bytes: bytes('p') },
      { path: 'masks/p.png', bytes: bytes('pm') },
    ])
    await service.whenIdle()
    expect(
      service
        .snapshot()
        .problems.map((problem) => problem.id)
        .sort(),
    ).toEqual(['d', 'lonely', 'o'])
    expect(await service.removePairs(['lonely', 'd'])).toEqual({ removed: 2 })
    service.emitNow()
    expect(updates.at(-1)?.problems.map((problem) => problem.id)).toEqual(['o'])
    expect(await service.clear()).toEqual({ removed: 2 })
    expect(service.snapshot()).toMatchObject({ pairs: [], problems: [] })
    expect(service.store.files).toEqual({})
  })

  it('shows a failed QA run on the pairs it left unchecked, blocks submitting them, and checks again on retry', async () => {
    const working = fakeQa()
    let broken = true
    const flaky: QaChecker = {
      run: (input, options) =>
        broken ? Promise.reject(new Error('QA failed: the worker ran out of memory')) : working.run(input, options),
      dispose: () => Promise.resolve(),
    }
    const { service, updates } = await open(await tempDir(), flaky)
    await service.addFiles([
      { path: 'images/a.jpg', bytes: bytes('a') },
      { path: 'masks/a.png', bytes: bytes('A') },
    ])
    await service.whenIdle()
    service.emitNow()
    expect(service.snapshot().pairs).toMatchObject([
      { id: 'a', status: 'pending', qaError: 'QA failed: the worker ran out of memory' },
    ])
    // The renderers heard it too, not only the console.
    expect(updates.flatMap((update) => update.pairs).at(-1)).toMatchObject({ id: 'a', qaError: /out of memory/ })
    expect(service.submittable().blockers.join(' ')).toMatch(/QA could not check 1 pair \(QA failed: the worker ran/)

    broken = false
    service.retryQa()
    await service.whenIdle()
    const [pair] = service.snapshot().pairs
    expect(pair).toMatchObject({ id: 'a', status: 'ok' })
    expect(pair?.qaError).toBeUndefined()
    expect(service.submittable().blockers).toEqual([])
  })
})
