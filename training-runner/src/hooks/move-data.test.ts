import { mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import {
  commitPairs,
  createHookRepos,
  gitOk,
  remoteDataBranches,
  type HookRepos,
} from '../../test/helpers/hook-repos.js'
import { INNER_PUSH_ENV, runPrePush, type PrePushOutcome } from './pre-push.js'

/**
 * The hook's decisions on real repositories, called in-process with the ref lines git would write (the real
 * `git push` path is covered in pre-push.test.ts; here each case stays fast).
 */
describe('pre-push decisions', () => {
  const tempDir = useTempDirs()
  const ZERO = '0'.repeat(40)

  async function decide(
    repos: HookRepos,
    options: { localRef?: string; cwd?: string; extraLines?: string[] } = {},
  ): Promise<PrePushOutcome> {
    const cwd = options.cwd ?? repos.clone
    const localRef = options.localRef ?? 'refs/heads/main'
    const localSha = await gitOk(cwd, ['rev-parse', localRef === 'HEAD' ? 'HEAD' : localRef], repos.env)
    const remoteSha = await gitOk(repos.origin, ['rev-parse', 'main'], repos.env)
    const lines = [`${localRef} ${localSha} refs/heads/main ${remoteSha}`, ...(options.extraLines ?? [])]
    return runPrePush({
      remote: 'origin',
      url: repos.origin,
      stdin: `${lines.join('\n')}\n`,
      cwd,
      env: repos.env,
      now: new Date(Date.UTC(2026, 11, 2, 9, 30, 0)),
    })
  }

  const remoteMain = (repos: HookRepos): Promise<string> => gitOk(repos.origin, ['rev-parse', 'main'], repos.env)

  it('refuses a push that mixes data and code, saying how to split it, and moves nothing', async () => {
    const repos = await createHookRepos(await tempDir('wms-hook-'), { install: false })
    await writeFile(path.join(repos.clone, 'code.txt'), 'v2\n')
    await gitOk(repos.clone, ['add', 'code.txt'], repos.env)
    await commitPairs(repos, repos.clone, { count: 1, startId: 1 })
    const before = await gitOk(repos.clone, ['rev-parse', 'main'], repos.env)

    const outcome = await decide(repos)
    expect(outcome.result).toEqual({ action: 'refused', reason: 'mixed' })
    expect(outcome.exitCode).toBe(1)
    expect(outcome.message).toContain('code.txt')
    expect(outcome.message).toContain(`git reset --soft ${(await remoteMain(repos)).slice(0, 9)}`)
    expect(await gitOk(repos.clone, ['rev-parse', 'main'], repos.env)).toBe(before)
    expect(await remoteDataBranches(repos)).toEqual([])
  })

  it('refuses deleting or renaming dataset files that main has, saying what to do', async () => {
    const repos = await createHookRepos(await tempDir('wms-hook-'), { install: false })
    const pairs = await commitPairs(repos, repos.clone, { count: 2, startId: 1 })
    // Raw files that once reached main (the old system's leak), pushed without the hook.
    await gitOk(repos.clone, ['push', '-q', 'origin', 'main'], repos.env)
    const [first, second] = pairs
    await gitOk(repos.clone, ['rm', '-q', `data/training/${first?.image ?? ''}`], repos.env)
    await gitOk(
      repos.clone,
      ['mv', `data/training/${second?.mask ?? ''}`, 'data/training/masks/renamed.png'],
      repos.env,
    )
    await gitOk(repos.clone, ['commit', '-q', '-m', 'Tidy the dataset'], repos.env)

    const outcome = await decide(repos)
    expect(outcome.result).toEqual({ action: 'refused', reason: 'removes-data' })
    expect(outcome.message).toContain(`deleted  data/training/${first?.image ?? ''}`)
    expect(outcome.message).toContain(`renamed  data/training/${second?.mask ?? ''} → data/training/masks/renamed.png`)
    expect(outcome.message).toContain('git push --no-verify')
    expect(await remoteDataBranches(repos)).toEqual([])
  })

  it('refuses pairs that fail QA with the report, pushing nothing', async () => {
    const repos = await createHookRepos(await tempDir('wms-hook-'), { install: false })
    await commitPairs(repos, repos.clone, { count: 1, startId: 1, sizes: [[48, 36]] })
    const before = await gitOk(repos.clone, ['rev-parse', 'main'], repos.env)

    const outcome = await decide(repos)
    expect(outcome.result).toEqual({ action: 'refused', reason: 'qa-failed' })
    expect(outcome.message).toContain('geometry/too-small')
    expect(outcome.message).toContain('push again')
    expect(await gitOk(repos.clone, ['rev-parse', 'main'], repos.env)).toBe(before)
    expect(await remoteDataBranches(repos)).toEqual([])
  })

  it('never makes a second branch for data already on a data branch', async () => {
    const repos = await createHookRepos(await tempDir('wms-hook-'), { install: false })
    await commitPairs(repos, repos.clone, { count: 1, startId: 1 })
    const first = await decide(repos)
    expect(first.result).toMatchObject({ action: 'moved', branch: 'data/20261202-093000', files: 2, pairs: 1 })
    // The same data comes back to main (a cherry-pick of the data branch's commit).
    await gitOk(repos.clone, ['cherry-pick', 'data/20261202-093000'], repos.env)

    const second = await decide(repos)
    expect(second.result).toMatchObject({ action: 'moved', branch: undefined, alreadyOn: ['data/20261202-093000'] })
    expect(second.message).toContain('already on origin: data/20261202-093000')
    expect(await remoteDataBranches(repos)).toEqual(['data/20261202-093000'])
    expect(await gitOk(repos.clone, ['rev-parse', 'main'], repos.env)).toBe(await remoteMain(repos))
  })

  it('moves a detached HEAD back, and names the other refs of the push', async () => {
    const repos = await createHookRepos(await tempDir('wms-hook-'), { install: false })
    await gitOk(repos.clone, ['checkout', '-q', '--detach'], repos.env)
    await commitPairs(repos, repos.clone, { count: 1, startId: 1 })
    const outcome = await decide(repos, {
      localRef: 'HEAD',
      extraLines: [`refs/heads/feature ${'1'.repeat(40)} refs/heads/feature ${ZERO}`],
    })
    expect(outcome.result).toMatchObject({ action: 'moved', movedRef: 'HEAD' })
    expect(outcome.message).toContain('Your detached HEAD is back at')
    expect(outcome.message).toContain('git push origin refs/heads/feature:refs/heads/feature')
    expect(await gitOk(repos.clone, ['rev-parse', 'HEAD'], repos.env)).toBe(await remoteMain(repos))
    expect((await gitOk(repos.clone, ['status', '--porcelain', '--untracked-files=no'], repos.env)).trim()).toBe('')
  })

  it('works from a linked worktree: moves its branch back and cleans its index only', async () => {
    const repos = await createHookRepos(await tempDir('wms-hook-'), { install: false })
    const linked = path.join(repos.base, 'linked')
    await gitOk(repos.clone, ['worktree', 'add', '-q', '-b', 'work', linked, 'origin/main'], repos.env)
    await writeFile(path.join(repos.clone, 'code.txt'), 'uncommitted in the main worktree\n')
    await commitPairs(repos, linked, { count: 1, startId: 4 })

    const outcome = await decide(repos, { localRef: 'refs/heads/work', cwd: linked })
    expect(outcome.result).toMatchObject({ action: 'moved', movedRef: 'refs/heads/work', files: 2 })
    expect(await gitOk(linked, ['rev-parse', 'work'], repos.env)).toBe(await remoteMain(repos))
    expect(await gitOk(linked, ['status', '--porcelain', '--untracked-files=no'], repos.env)).toBe('')
    expect(await gitOk(repos.clone, ['status', '--porcelain'], repos.env)).toBe('M code.txt')
    expect(await remoteDataBranches(repos)).toEqual(['data/20261202-093000'])
  })

  it('refuses data added and removed again inside the pushed commits', async () => {
    const repos = await createHookRepos(await tempDir('wms-hook-'), { install: false })
    const pairs = await commitPairs(repos, repos.clone, { count: 1, startId: 1 })
    await gitOk(repos.clone, ['rm', '-q', '-r', '--cached', 'data/training'], repos.env)
    await gitOk(repos.clone, ['commit', '-q', '-m', 'Oops, not here'], repos.env)
    const outcome = await decide(repos)
    expect(outcome.result).toEqual({ action: 'refused', reason: 'transient-data' })
    expect(outcome.message).toContain(`data/training/${pairs[0]?.image ?? ''}`)
  })

  it('passes what is not its business: the inner push, other branches, repositories without a workspace', async () => {
    const repos = await createHookRepos(await tempDir('wms-hook-'), { install: false })
    await commitPairs(repos, repos.clone, { count: 1, startId: 1 })
    const sha = await gitOk(repos.clone, ['rev-parse', 'main'], repos.env)
    const line = (remoteRef: string): string => `refs/heads/main ${sha} ${remoteRef} ${ZERO}\n`
    const base = { remote: 'origin', url: repos.origin, cwd: repos.clone }
    const inner = await runPrePush({
      ...base,
      stdin: line('refs/heads/main'),
      env: { ...repos.env, [INNER_PUSH_ENV]: '1' },
    })
    expect(inner.result).toEqual({ action: 'pass', reason: 'inner-push' })
    const other = await runPrePush({ ...base, stdin: line('refs/heads/feature'), env: repos.env })
    expect(other.result).toEqual({ action: 'pass', reason: 'not-main' })
    // A picture folder outside the dataset is code, whatever it is called.
    const docs = await createHookRepos(await tempDir('wms-hook-'), { install: false })
    await mkdir(path.join(docs.clone, 'docs/images'), { recursive: true })
    await writeFile(path.join(docs.clone, 'docs/images/logo.svg'), '<svg/>\n')
    await gitOk(docs.clone, ['add', '-A'], docs.env)
    await gitOk(docs.clone, ['commit', '-q', '-m', 'Docs picture'], docs.env)
    expect((await decide(docs)).result).toEqual({ action: 'pass', reason: 'no-data' })
    await rm(path.join(repos.clone, 'wms.config.json'))
    const plain = await runPrePush({ ...base, stdin: line('refs/heads/main'), env: repos.env })
    expect(plain.result).toEqual({ action: 'pass', reason: 'not-a-workspace' })
  })

  it('says to fetch when the remote main is not in the repository (a forced push over work it has not seen)', async () => {
    const repos = await createHookRepos(await tempDir('wms-hook-'), { install: false })
    await commitPairs(repos, repos.clone, { count: 1, startId: 1 })
    const sha = await gitOk(repos.clone, ['rev-parse', 'main'], repos.env)
    const decision = runPrePush({
      remote: 'origin',
      url: repos.origin,
      stdin: `refs/heads/main ${sha} refs/heads/main ${'c'.repeat(40)}\n`,
      cwd: repos.clone,
      env: repos.env,
    })
    await expect(decision).rejects.toMatchObject({ hint: expect.stringContaining('git fetch origin') as unknown })
    expect(await remoteDataBranches(repos)).toEqual([])
  })

  it('takes the next free name when another clone pushed a data branch in the same second', async () => {
    const repos = await createHookRepos(await tempDir('wms-hook-'), { install: false })
    const other = path.join(repos.base, 'other')
    await gitOk(repos.base, ['clone', '-q', repos.origin, other], repos.env)
    await commitPairs(repos, repos.clone, { count: 1, startId: 1 })
    await commitPairs(repos, other, { count: 1, startId: 2 })
    expect((await decide(repos)).result).toMatchObject({ branch: 'data/20261202-093000' })
    expect((await decide(repos, { cwd: other })).result).toMatchObject({ branch: 'data/20261202-093000-2' })
    expect(await remoteDataBranches(repos)).toEqual(['data/20261202-093000', 'data/20261202-093000-2'])
  })
})
