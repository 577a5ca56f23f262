import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { WorkspaceActivity } from '@wms/shared/settings/accounts'
import { createDemoWorkspace, openRepo } from 'training-runner'
import { useTempDirs } from '../../test-support/temp-dirs.js'
import { WorkspaceSwitcher, type SwitchableServices } from './workspace-switcher.js'

/** Services that say what runs and record being disposed. */
class FakeServices implements SwitchableServices {
  disposed = false
  running: WorkspaceActivity = { pipelineRun: null, submitting: false, qaPending: 0 }
  constructor(readonly root: string) {}
  activity(): Promise<WorkspaceActivity> {
    return Promise.resolve(this.running)
  }
  dispose(): void {
    this.disposed = true
  }
}

describe('WorkspaceSwitcher: open, create, clone, and what a switch does to work in flight', () => {
  const makeDir = useTempDirs()
  // One demo for every test (making one takes seconds); the tests only read it and clone its origin.
  let demo: Awaited<ReturnType<typeof createDemoWorkspace>>
  let demoBase: string
  beforeAll(async () => {
    demoBase = await mkdtemp(path.join(os.tmpdir(), 'wms-switch-demo-'))
    demo = await createDemoWorkspace(path.join(demoBase, 'demo'), { pairs: 2, incoming: 0 })
  })
  afterAll(() => rm(demoBase, { recursive: true, force: true }))

  async function setUp() {
    const base = await makeDir('wms-switch-')
    const opened: FakeServices[] = []
    const changes: string[] = []
    const initial = new FakeServices(demo.workspace)
    const switcher = await WorkspaceSwitcher.create<FakeServices>({
      userDataDir: path.join(base, 'user-data'),
      initial: { root: demo.workspace, services: initial },
      open: (root) => {
        const services = new FakeServices(root)
        opened.push(services)
        return Promise.resolve(services)
      },
      onChanged: (current) => changes.push(current.root),
    })
    return { base, demo, initial, switcher, opened, changes }
  }

  it('creates a workspace (git init + init) in a new folder, opens it, and remembers the old one', async () => {
    const { base, demo, initial, switcher, changes } = await setUp()
    const target = path.join(base, 'new-ws')
    const view = await switcher.create(target, { name: 'Meters North', runner: 'local' }, false)
    expect(view.current).toEqual({ root: target, name: 'Meters North', isDemo: false })
    expect(view.recent.map((entry) => entry.root)).toEqual([demo.workspace])
    expect(initial.disposed).toBe(true)
    expect(changes).toEqual([target])
    expect(JSON.parse(await readFile(path.join(target, 'wms.config.json'), 'utf8'))).toMatchObject({
      name: 'Meters North',
    })
    expect((await openRepo(target).revparse(['--show-toplevel'])).trim()).toBe(target)
    // Back to the demo through the recent list: a new set of services for it.
    const back = await switcher.open(demo.workspace, false)
    expect(back.current.isDemo).toBe(true)
  })

  it('refuses a switch while the pipeline runs, unless told to stop the run; never during a submission', async () => {
    const { base, initial, switcher, opened } = await setUp()
    const other = path.join(base, 'other')
    initial.running = { pipelineRun: 'data/20260101-000000', submitting: false, qaPending: 3 }
    await expect(switcher.create(other, { runner: 'local' }, false)).rejects.toMatchObject({
      code: 'workspace/busy',
      message: expect.stringContaining('data/20260101-000000') as string,
      hint: expect.stringContaining('recorded as interrupted') as string,
    })
    expect(initial.disposed).toBe(false)
    expect(opened).toEqual([])
    initial.running = { pipelineRun: null, submitting: true, qaPending: 0 }
    await expect(switcher.create(other, { runner: 'local' }, true)).rejects.toMatchObject({ code: 'workspace/busy' })
    initial.running = { pipelineRun: 'data/20260101-000000', submitting: false, qaPending: 0 }
    await switcher.create(other, { runner: 'local' }, true)
    expect(initial.disposed).toBe(true)
    expect(switcher.root).toBe(other)
  })

  it('keeps the open workspace when the new one cannot be opened', async () => {
    const { base, demo, initial, switcher } = await setUp()
    await expect(switcher.open(path.join(base, 'nothing-here'), false)).rejects.toMatchObject({
      code: 'workspace/not-found',
    })
    await expect(switcher.open('relative/path', false)).rejects.toMatchObject({ code: 'usage/invalid-arguments' })
    const full = path.join(base, 'full')
    await mkdir(full)
    await writeFile(path.join(full, 'keep.txt'), 'mine')
    await expect(switcher.create(full, { runner: 'local' }, false)).rejects.toMatchObject({ code: 'workspace/exists' })
    expect(await readFile(path.join(full, 'keep.txt'), 'utf8')).toBe('mine')
    expect(switcher.root).toBe(demo.workspace)
    expect(initial.disposed).toBe(false)
  })

  it('clones a repository (the demo origin) and makes it a workspace', async () => {
    const { base, demo, switcher } = await setUp()
    const target = path.join(base, 'clone')
    const view = await switcher.clone(demo.origin, target, false)
    expect(view.current.root).toBe(target)
    expect(await readFile(path.join(target, 'wms.config.json'), 'utf8')).toContain('"version"')
  })
})
