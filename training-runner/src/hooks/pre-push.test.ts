import { access, readFile, writeFile, chmod } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { installHooks } from './install.js'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { commitPairs, createHookRepos, git, gitOk, remoteDataBranches } from '../../test/helpers/hook-repos.js'

/**
 * The hook as users meet it: a real `git push` in a clone, git running the installed shim, the shim finding node
 * and the runner with a GUI client's minimal PATH and no terminal.
 */
describe('pre-push hook through real git pushes', () => {
  const tempDir = useTempDirs()

  it('moves new pairs of several commits to a data branch from the remote main, stops main and moves it back', async () => {
    const repos = await createHookRepos(await tempDir('wms-hook-'))
    const { clone, env } = repos
    const remoteMain = await gitOk(clone, ['rev-parse', 'origin/main'], env)
    // Work staged but not committed is the user's and must survive.
    await writeFile(path.join(clone, 'code.txt'), 'v2 staged\n')
    await gitOk(clone, ['add', 'code.txt'], env)
    await gitOk(clone, ['stash', '-q'], env)
    const first = await commitPairs(repos, clone, { count: 1, startId: 1 })
    const second = await commitPairs(repos, clone, { count: 1, startId: 2 })
    await gitOk(clone, ['stash', 'pop', '-q', '--index'], env)

    const push = await git(clone, ['push', 'origin', 'main'], env)

    expect(push.code).not.toBe(0)
    expect(push.stderr).toContain('New data in this push to main: 2 pair(s), 4 file(s).')
    expect(push.stderr).toContain('failed to push some refs')
    const branches = await remoteDataBranches(repos)
    expect(branches).toHaveLength(1)
    const branch = branches[0] ?? ''
    expect(branch).toMatch(/^data\/\d{8}-\d{6}$/)
    expect(push.stderr).toContain(`data branch ${branch}`)
    // The branch is the remote's main plus exactly the new files.
    expect(await gitOk(repos.origin, ['rev-parse', `${branch}^`], env)).toBe(remoteMain)
    const added = (await gitOk(repos.origin, ['diff', '--name-only', 'main', branch], env)).split('\n').sort()
    const expected = [...first, ...second].flatMap((pair) => [pair.image, pair.mask]).map((f) => `data/training/${f}`)
    expect(added).toEqual(expected.sort())
    // Main did not move on the remote; the local main is back where it was before the data commits.
    expect(await gitOk(repos.origin, ['rev-parse', 'main'], env)).toBe(remoteMain)
    expect(await gitOk(clone, ['rev-parse', 'main'], env)).toBe(remoteMain)
    // Files stay on disk, untracked; the staged code change is still staged.
    await access(path.join(clone, 'data/training', first[0]?.image ?? 'missing'))
    expect(await gitOk(clone, ['status', '--porcelain'], env)).toBe('M  code.txt')
    // The local data branch is there for the app's pipeline view, pushed.
    expect(await gitOk(clone, ['rev-parse', branch], env)).toBe(await gitOk(repos.origin, ['rev-parse', branch], env))

    // Pushing main again changes nothing and creates nothing.
    const again = await git(clone, ['push', 'origin', 'main'], env)
    expect(again.code).toBe(0)
    expect(await remoteDataBranches(repos)).toEqual(branches)
  })

  it('lets a push without data through untouched, without starting node', async () => {
    const repos = await createHookRepos(await tempDir('wms-hook-'))
    const { clone, env } = repos
    await writeFile(path.join(clone, 'code.txt'), 'v2\n')
    await gitOk(clone, ['commit', '-q', '-am', 'Code only'], env)
    const toMain = await git(clone, ['push', 'origin', 'main'], env)
    expect(toMain.code).toBe(0)
    expect(toMain.stderr).not.toContain('WMS Studio')
    expect(await gitOk(repos.origin, ['rev-parse', 'main'], env)).toBe(await gitOk(clone, ['rev-parse', 'main'], env))

    // Data to another branch is not the hook's business either.
    await gitOk(clone, ['checkout', '-q', '-b', 'feature'], env)
    await commitPairs(repos, clone, { count: 1, startId: 5 })
    expect((await git(clone, ['push', 'origin', 'feature'], env)).code).toBe(0)
    await expect(access(repos.nodeLog)).rejects.toThrow()
  })

  it('runs the hook it replaced first, and its own push of the data branch runs no hook', async () => {
    const base = await tempDir('wms-hook-')
    const repos = await createHookRepos(base, { install: false })
    const { clone, env } = repos
    const log = path.join(base, 'previous.log')
    const previous = path.join(clone, '.git/hooks/pre-push')
    await writeFile(previous, `#!/bin/sh\necho "$1 $(cat | tr '\\n' ' ')" >> ${JSON.stringify(log)}\n`)
    await chmod(previous, 0o755)
    const installed = await installHooks(clone, repos.install)
    expect(installed.chained).toBe(`${previous}.wms-previous`)

    await commitPairs(repos, clone, { count: 1, startId: 1 })
    const push = await git(clone, ['push', 'origin', 'main'], env)
    expect(push.code).not.toBe(0)
    expect(await remoteDataBranches(repos)).toHaveLength(1)
    // The earlier hook saw the push to main once, and never the hook's own push of the data branch.
    const lines = (await readFile(log, 'utf8')).trim().split('\n')
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('refs/heads/main')
    expect(lines[0]).not.toContain('refs/heads/data/')
  })

  it('works with GIT_DIR and GIT_WORK_TREE set and an index file of another command in the environment', async () => {
    const base = await tempDir('wms-hook-')
    const repos = await createHookRepos(base)
    const { clone } = repos
    await commitPairs(repos, clone, { count: 1, startId: 3 })
    const env = {
      ...repos.env,
      GIT_DIR: path.join(clone, '.git'),
      GIT_WORK_TREE: clone,
      GIT_INDEX_FILE: path.join(base, 'stray-index'),
    }
    const push = await git(base, ['push', 'origin', 'main'], env)
    expect(push.stderr).toContain('WMS Studio pre-push hook')
    expect(push.code).not.toBe(0)
    expect(push.stderr).toContain('New data in this push to main: 1 pair(s), 2 file(s).')
    expect(await remoteDataBranches(repos)).toHaveLength(1)
    expect(await gitOk(clone, ['rev-parse', 'main'], repos.env)).toBe(
      await gitOk(repos.origin, ['rev-parse', 'main'], repos.env),
    )
    expect(await gitOk(clone, ['status', '--porcelain'], repos.env)).toBe('')
  })
})
