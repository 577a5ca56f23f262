import { execFile } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** A small real workspace: a git repository with one commit and a bare `origin` it has pushed `main` to. */
export interface GitWorkspace {
  workspace: string
  origin: string
  /** Runs git in a folder and returns its stdout. */
  git: (cwd: string, ...args: string[]) => Promise<string>
}

/** Creates a {@link GitWorkspace} under `base` (much faster than the demo workspace, for submit tests). */
export async function createGitWorkspace(base: string): Promise<GitWorkspace> {
  const git = async (cwd: string, ...args: string[]): Promise<string> =>
    (await run('git', args, { cwd, env: { PATH: process.env.PATH ?? '', HOME: base } })).stdout
  const workspace = path.join(base, 'workspace')
  const origin = path.join(base, 'origin.git')
  await mkdir(workspace, { recursive: true })
  await git(base, 'init', '--quiet', '--bare', '--initial-branch=main', origin)
  await git(workspace, 'init', '--quiet', '--initial-branch=main')
  await git(workspace, 'config', 'user.name', 'WMS test')
  await git(workspace, 'config', 'user.email', 'test@wms.invalid')
  await writeFile(path.join(workspace, 'README.md'), 'workspace\n')
  await git(workspace, 'add', 'README.md')
  await git(workspace, 'commit', '--quiet', '-m', 'start')
  await git(workspace, 'remote', 'add', 'origin', '../origin.git')
  await git(workspace, 'push', '--quiet', 'origin', 'main')
  return { workspace, origin, git }
}
