import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { readFile, readdir, writeFile, mkdir, symlink } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { simpleGit } from 'simple-git'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { loadDatasetSplit } from '../train/dataset-samples.js'
import { createDemoWorkspace, DEMO_MIN_TEST_PAIRS, demoExists, ensureDemoWorkspace } from './demo-workspace.js'
import { readWorkspaceConfig } from './workspace-config-file.js'
import { readWorkspaceInfo } from './workspace-info.js'
import { partialFolder } from './demo-target.js'

describe('the demo workspace', () => {
  const tempDir = useTempDirs()

  it('creates a git workspace with a bare origin, DVC remote, mlruns and a synthetic dataset', async () => {
    const base = path.join(await tempDir(), 'demo')
    const layout = await createDemoWorkspace(base, { pairs: 5, incoming: 3, minTestPairs: 0 })

    const config = await readWorkspaceConfig(layout.workspace)
    expect(config.dataset.remote).toEqual({ type: 'local', path: '../dvc-remote' })
    expect(config.tracking.uri).toBe('file:../mlruns')

    expect(await readdir(path.join(layout.workspace, 'data/training/images'))).toHaveLength(5)
    expect(await readdir(path.join(layout.workspace, 'data/training/masks'))).toHaveLength(5)
    expect(await readdir(path.join(layout.incoming, 'images'))).toHaveLength(3)

    // main is pushed to the bare origin, and raw data is not in git.
    const originHeads = await simpleGit(layout.origin).raw(['for-each-ref', '--format=%(refname)', 'refs/heads'])
    expect(originHeads.trim()).toBe('refs/heads/main')
    const tracked = await simpleGit(layout.workspace).raw(['ls-files'])
    expect(tracked).toContain('wms.config.json')
    expect(tracked).not.toContain('.jpg')

    const info = await readWorkspaceInfo(layout.workspace)
    expect(info).toMatchObject({ isDemo: true, name: 'Demo water meters', git: { branch: 'main', dirty: false } })
    expect(info.git.remotes).toEqual([{ name: 'origin', url: '../origin.git' }])
  })

  it('always has a test split the gate can score on, while staying small', async () => {
    const base = path.join(await tempDir(), 'demo')
    // With seed 2026 the 20 default pairs split 16/4/0 by content hash: not one test pair.
    const layout = await createDemoWorkspace(base, { incoming: 0 })
    const config = await readWorkspaceConfig(layout.workspace)
    const { splits } = await loadDatasetSplit(path.join(layout.workspace, config.dataset.root), config.training.split)
    expect(splits.test.length).toBeGreaterThanOrEqual(DEMO_MIN_TEST_PAIRS)
    expect(splits.val.length).toBeGreaterThanOrEqual(1)
    expect(splits.train.length + splits.val.length + splits.test.length).toBeLessThanOrEqual(
      20 + DEMO_MIN_TEST_PAIRS + 1,
    )
    // The extra pairs are versioned like the rest (nothing outside the .dvc files).
    const status = await simpleGit(layout.workspace).status()
    expect(status.isClean()).toBe(true)
  })

  it('is created once: ensure leaves an existing demo alone', async () => {
    const base = path.join(await tempDir(), 'demo')
    expect(await demoExists(base)).toBe(false)
    const layout = await ensureDemoWorkspace(base, { pairs: 2, incoming: 0, minTestPairs: 0 })
    const marker = path.join(layout.workspace, 'user-file.txt')
    await writeFile(marker, 'keep me')
    await ensureDemoWorkspace(base, { pairs: 2, incoming: 0, minTestPairs: 0 })
    expect(await readFile(marker, 'utf8')).toBe('keep me')
  })

  it('refuses to fill a folder that already has files in it', async () => {
    const base = await tempDir()
    await mkdir(path.join(base, 'something'))
    await expect(createDemoWorkspace(base, { pairs: 1 })).rejects.toMatchObject({ code: 'usage/invalid-arguments' })
  })

  it('never removes a file or link it is pointed at, and leaves no half-made folder', async () => {
    const dir = await tempDir()
    const notes = path.join(dir, 'notes.txt')
    await writeFile(notes, 'my notes')
    await expect(createDemoWorkspace(notes, { pairs: 1 })).rejects.toMatchObject({
      code: 'usage/invalid-arguments',
      message: expect.stringContaining('exists and is not a folder') as unknown,
    })
    expect(await readFile(notes, 'utf8')).toBe('my notes')
    const link = path.join(dir, 'link')
    await mkdir(path.join(dir, 'target'))
    await symlink(path.join(dir, 'target'), link)
    await expect(createDemoWorkspace(link, { pairs: 1 })).rejects.toMatchObject({ code: 'usage/invalid-arguments' })
    expect((await readdir(dir)).sort()).toEqual(['link', 'notes.txt', 'target'])
  })

  it.runIf(existsSync('/proc/self'))('fails at once on a path that cannot hold a workspace', async () => {
    const started = Date.now()
    await expect(createDemoWorkspace('/proc/wms-demo-x', { pairs: 1 })).rejects.toMatchObject({
      code: 'usage/invalid-arguments',
      message: expect.stringContaining('cannot hold a workspace') as unknown,
    })
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('removes the half-made folders of killed runs, keeps those of running ones, and stops when asked', async () => {
    const base = path.join(await tempDir(), 'demo')
    const dead = spawnSync('true').pid
    const alive = process.ppid
    await mkdir(path.join(partialFolder(base, dead), 'workspace'), { recursive: true })
    await mkdir(partialFolder(base, alive))
    const stop = new AbortController()
    const events = {
      emit: (event: { type: string }) => {
        if (event.type === 'progress') stop.abort()
      },
    }
    await expect(
      createDemoWorkspace(base, { pairs: 1, incoming: 0, minTestPairs: 0, events, signal: stop.signal }),
    ).rejects.toMatchObject({ code: 'cancelled' })
    expect(await readdir(path.dirname(base))).toEqual([path.basename(partialFolder(base, alive))])
  })
})
