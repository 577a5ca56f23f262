import { access, chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { commitPairs, createHookRepos, git, gitOk, remoteDataBranches } from '../../test/helpers/hook-repos.js'
import { HOOK_MARKER, installHooks, shimSourcePath, uninstallHooks } from './install.js'

/** Install and uninstall next to what a repository already has: a hook, core.hooksPath, husky. */
describe('hooks install / uninstall', () => {
  const tempDir = useTempDirs()
  const exists = (file: string): Promise<boolean> =>
    access(file).then(
      () => true,
      () => false,
    )

  it('installs the shim, records node and the runner, is idempotent, and uninstall leaves nothing', async () => {
    const repos = await createHookRepos(await tempDir('wms-hook-'), { install: false })
    const hook = path.join(repos.clone, '.git/hooks/pre-push')
    const first = await installHooks(repos.clone, repos.install)
    expect(first).toMatchObject({ state: 'installed', manager: 'git', hookFile: hook })
    expect(await readFile(hook, 'utf8')).toBe(await readFile(shimSourcePath(), 'utf8'))
    expect((await stat(hook)).mode & 0o111).not.toBe(0)
    expect(await gitOk(repos.clone, ['config', 'wms.node'], repos.env)).toBe(repos.install.node)
    expect(await gitOk(repos.clone, ['config', 'wms.runner'], repos.env)).toBe(repos.install.runner)
    expect((await installHooks(repos.clone, repos.install)).state).toBe('unchanged')

    expect(await uninstallHooks(repos.clone)).toEqual({ removed: true })
    expect(await exists(hook)).toBe(false)
    expect((await git(repos.clone, ['config', 'wms.node'], repos.env)).code).not.toBe(0)
    expect((await uninstallHooks(repos.clone)).removed).toBe(false)
  })

  it('keeps a hook under core.hooksPath, runs it first (it can still stop a push), and uninstall restores it', async () => {
    const repos = await createHookRepos(await tempDir('wms-hook-'), { install: false })
    const hooksDir = path.join(repos.base, 'team-hooks')
    await mkdir(hooksDir)
    await gitOk(repos.clone, ['config', 'core.hooksPath', hooksDir], repos.env)
    const theirs = '#!/bin/sh\necho "team hook says no" >&2\nexit 3\n'
    await writeFile(path.join(hooksDir, 'pre-push'), theirs)
    await chmod(path.join(hooksDir, 'pre-push'), 0o755)

    const installed = await installHooks(repos.clone, repos.install)
    expect(installed).toMatchObject({
      hookFile: path.join(hooksDir, 'pre-push'),
      chained: path.join(hooksDir, 'pre-push.wms-previous'),
    })
    expect(await readFile(path.join(hooksDir, 'pre-push'), 'utf8')).toContain(HOOK_MARKER)
    // Installing twice does not chain the shim to itself.
    expect(await installHooks(repos.clone, repos.install)).toMatchObject({ state: 'unchanged' })
    expect(await readFile(path.join(hooksDir, 'pre-push.wms-previous'), 'utf8')).toBe(theirs)

    await commitPairs(repos, repos.clone, { count: 1, startId: 1 })
    const push = await git(repos.clone, ['push', 'origin', 'main'], repos.env)
    expect(push.code).not.toBe(0)
    expect(push.stderr).toContain('team hook says no')
    expect(await remoteDataBranches(repos)).toEqual([])

    expect(await uninstallHooks(repos.clone)).toEqual({ removed: true, restored: path.join(hooksDir, 'pre-push') })
    expect(await readFile(path.join(hooksDir, 'pre-push'), 'utf8')).toBe(theirs)
    expect(await exists(path.join(hooksDir, 'pre-push.wms-previous'))).toBe(false)
  })

  it('adds one marked line to husky’s pre-push and removes only that line', async () => {
    const repos = await createHookRepos(await tempDir('wms-hook-'), { install: false })
    const husky = path.join(repos.clone, '.husky')
    await mkdir(path.join(husky, '_'), { recursive: true })
    await gitOk(repos.clone, ['config', 'core.hooksPath', '.husky/_'], repos.env)
    const theirs = 'echo "husky script ran" >&2\n'
    await writeFile(path.join(husky, 'pre-push'), theirs)
    // What husky 9 puts in .husky/_: each hook runs the user's script with sh -e, same arguments and stdin.
    await writeFile(path.join(husky, '_', 'pre-push'), '#!/bin/sh\nexec sh -e "$(dirname "$0")/../pre-push" "$@"\n')
    await chmod(path.join(husky, '_', 'pre-push'), 0o755)

    const installed = await installHooks(repos.clone, repos.install)
    expect(installed).toMatchObject({ manager: 'husky', hookFile: path.join(husky, 'pre-push') })
    expect(installed.shim).toBe(path.join(repos.clone, '.git/wms-hooks/pre-push'))
    const withCall = await readFile(path.join(husky, 'pre-push'), 'utf8')
    expect(withCall.startsWith(theirs)).toBe(true)
    expect(withCall).toContain('/wms-hooks/pre-push" "$@"')
    await installHooks(repos.clone, repos.install)
    expect(await readFile(path.join(husky, 'pre-push'), 'utf8')).toBe(withCall)

    await commitPairs(repos, repos.clone, { count: 1, startId: 1 })
    const push = await git(repos.clone, ['push', 'origin', 'main'], repos.env)
    expect(push.stderr).toContain('husky script ran')
    expect(push.stderr).toContain('New data in this push to main: 1 pair(s), 2 file(s).')
    expect(await remoteDataBranches(repos)).toHaveLength(1)

    await uninstallHooks(repos.clone)
    expect(await readFile(path.join(husky, 'pre-push'), 'utf8')).toBe(theirs)
    expect(await exists(installed.shim)).toBe(false)
  })

  it('refuses to install over a hook when an earlier one is already kept aside', async () => {
    const repos = await createHookRepos(await tempDir('wms-hook-'), { install: false })
    const hooks = path.join(repos.clone, '.git/hooks')
    await writeFile(path.join(hooks, 'pre-push'), '#!/bin/sh\nexit 0\n')
    await writeFile(path.join(hooks, 'pre-push.wms-previous'), '#!/bin/sh\nexit 0\n')
    await expect(installHooks(repos.clone, repos.install)).rejects.toThrow(/pre-push.wms-previous exists already/)
    expect(await readFile(path.join(hooks, 'pre-push'), 'utf8')).toBe('#!/bin/sh\nexit 0\n')
  })
})
