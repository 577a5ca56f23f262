import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../../test/helpers/temp-dir.js'
import { openRepo, runGit } from './run-git.js'

describe('runGit', () => {
  const tempDir = useTempDirs()

  it('fails a git command that exits non-zero even when it says why on stdout only', async () => {
    const repo = path.join(await tempDir(), 'repo')
    await mkdir(repo)
    const git = openRepo(repo)
    await git.raw(['init', '--quiet'])
    await writeFile(path.join(repo, 'untracked.txt'), 'x')
    // "nothing added to commit but untracked files present" goes to stdout, and git exits 1.
    await expect(
      runGit('commit', () => git.raw(['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-m', 'm'])),
    ).rejects.toMatchObject({ code: 'git/failed', message: /git commit failed: .*nothing added to commit/ })
  })
})
