import { readFile, readdir, writeFile, mkdir } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { simpleGit } from 'simple-git'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { createDemoWorkspace, demoExists, ensureDemoWorkspace } from './demo-workspace.js'
import { readWorkspaceConfig } from './workspace-config-file.js'
import { readWorkspaceInfo } from './workspace-info.js'

describe('the demo workspace', () => {
  const tempDir = useTempDirs()

  it('creates a git workspace with a bare origin, DVC remote, mlruns and a synthetic dataset', async () => {
    const base = path.join(await tempDir(), 'demo')
    const layout = await createDemoWorkspace(base, { pairs: 5, incoming: 3 })

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

  it('is created once: ensure leaves an existing demo alone', async () => {
    const base = path.join(await tempDir(), 'demo')
    expect(await demoExists(base)).toBe(false)
    const layout = await ensureDemoWorkspace(base, { pairs: 2, incoming: 0 })
    const marker = path.join(layout.workspace, 'user-file.txt')
    await writeFile(marker, 'keep me')
    await ensureDemoWorkspace(base, { pairs: 2, incoming: 0 })
    expect(await readFile(marker, 'utf8')).toBe('keep me')
  })

  it('refuses to fill a folder that already has files in it', async () => {
    const base = await tempDir()
    await mkdir(path.join(base, 'something'))
    await expect(createDemoWorkspace(base, { pairs: 1 })).rejects.toMatchObject({ code: 'usage/invalid-arguments' })
  })
})
