import { spawn } from 'node:child_process'
import { chmod, mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { writeSyntheticDataset, type SyntheticPairFile } from '../../src/demo/synthetic-dataset.js'
import { installHooks } from '../../src/hooks/install.js'

/**
 * Real repositories for the pre-push hook's tests: a bare `origin.git` (standing in for GitHub) and a clone `ws`
 * that is a WMS Studio workspace (config, .gitignore of the raw folders, one code file), main pushed.
 */

/** The repositories of one test. */
export interface HookRepos {
  base: string
  origin: string
  clone: string
  /** The environment git runs with: no TTY, the user's global config out of the way, identity set. */
  env: NodeJS.ProcessEnv
  /** A node wrapper recorded as `wms.node`: it appends a line to `nodeLog` each time the hook starts node. */
  nodeLog: string
  /** What install records: the logging node and the runner from sources. */
  install: { node: string; runner: string }
}

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url))

/** Big enough for QA's minimum side (128 px), small enough to stay fast. */
export const HOOK_PAIR_SIZES: readonly (readonly [number, number])[] = [[160, 128]]

/** Result of one command. */
export interface Ran {
  code: number
  stdout: string
  stderr: string
}

/** Runs git in `cwd` (or any command with `command`), never rejecting for a non-zero exit. */
export function git(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv, command = 'git'): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }))
  })
}

/** Like {@link git}, but throws on a non-zero exit and returns trimmed stdout. */
export async function gitOk(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  const ran = await git(cwd, args, env)
  if (ran.code !== 0) throw new Error(`git ${args.join(' ')} failed (${String(ran.code)}): ${ran.stderr}`)
  return ran.stdout.trim()
}

/** An environment like a GUI client's: a minimal PATH, no terminal, nothing from the developer's git config. */
export function hookEnv(base: string): NodeJS.ProcessEnv {
  return {
    PATH: '/usr/bin:/bin',
    HOME: base,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Annotator',
    GIT_AUTHOR_EMAIL: 'annotator@wms.invalid',
    GIT_COMMITTER_NAME: 'Annotator',
    GIT_COMMITTER_EMAIL: 'annotator@wms.invalid',
    // The hook runs the runner from its TypeScript sources (see `sourceLauncher`).
    NODE_OPTIONS: '--conditions=source',
  }
}

/**
 * A script the hook runs as "the runner": the CLI from this checkout's sources through tsx, so the tests check the
 * code as it is, not a build of it.
 */
async function sourceLauncher(base: string): Promise<string> {
  const file = path.join(base, 'runner-from-sources.mjs')
  const tsx = path.join(REPO_ROOT, 'node_modules/tsx/dist/esm/api/index.mjs')
  const main = path.join(REPO_ROOT, 'training-runner/src/cli/main.ts')
  await writeFile(
    file,
    [
      `import { register } from ${JSON.stringify(tsx)}`,
      'register()',
      `const { runCli } = await import(${JSON.stringify(main)})`,
      'process.exitCode = await runCli(process.argv.slice(2))',
      '',
    ].join('\n'),
  )
  return file
}

/** A node that logs each start, so tests can tell whether the hook started node at all. */
async function loggingNode(base: string, log: string): Promise<string> {
  const file = path.join(base, 'bin', 'node-recorded')
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(
    file,
    `#!/bin/sh\necho "$*" >> ${JSON.stringify(log)}\nexec ${JSON.stringify(process.execPath)} "$@"\n`,
  )
  await chmod(file, 0o755)
  return file
}

/** Creates origin + clone, with the hook installed in the clone unless `install` is false. */
export async function createHookRepos(base: string, options: { install?: boolean } = {}): Promise<HookRepos> {
  const origin = path.join(base, 'origin.git')
  const clone = path.join(base, 'ws')
  const env = hookEnv(base)
  await gitOk(base, ['init', '-q', '--bare', '--initial-branch=main', origin], env)
  await gitOk(base, ['init', '-q', '--initial-branch=main', clone], env)
  await writeFile(
    path.join(clone, 'wms.config.json'),
    `${JSON.stringify({ version: 1, name: 'Hook test', dataset: { root: 'data/training', remote: { type: 'local', path: '../dvc' } }, tracking: { uri: 'file:../mlruns' } }, null, 2)}\n`,
  )
  await writeFile(path.join(clone, '.gitignore'), '/data/training/images/\n/data/training/masks/\n/.wms/\n')
  await writeFile(path.join(clone, 'code.txt'), 'v1\n')
  await gitOk(clone, ['add', '-A'], env)
  await gitOk(clone, ['commit', '-q', '-m', 'Workspace'], env)
  await gitOk(clone, ['remote', 'add', 'origin', origin], env)
  await gitOk(clone, ['push', '-q', '-u', 'origin', 'main'], env)
  const nodeLog = path.join(base, 'node-starts.log')
  const install = { node: await loggingNode(base, nodeLog), runner: await sourceLauncher(base) }
  if (options.install !== false) await installHooks(clone, install)
  return { base, origin, clone, env, nodeLog, install }
}

/** Writes `count` valid synthetic pairs into `<dir>/data/training` and commits them with `git add -f`. */
export async function commitPairs(
  repos: Pick<HookRepos, 'env'>,
  dir: string,
  options: { count: number; startId: number; message?: string; sizes?: readonly (readonly [number, number])[] },
): Promise<SyntheticPairFile[]> {
  const written = await writeSyntheticDataset(path.join(dir, 'data/training'), {
    count: options.count,
    startId: options.startId,
    seed: options.startId,
    sizes: options.sizes ?? HOOK_PAIR_SIZES,
  })
  const files = written.flatMap((pair) => [pair.image, pair.mask]).map((file) => `data/training/${file}`)
  await gitOk(dir, ['add', '-f', '--', ...files], repos.env)
  await gitOk(dir, ['commit', '-q', '-m', options.message ?? `Add ${String(options.count)} pairs`], repos.env)
  return written
}

/** The data branches on the remote. */
export async function remoteDataBranches(repos: Pick<HookRepos, 'origin' | 'env'>): Promise<string[]> {
  const out = await gitOk(repos.origin, ['for-each-ref', '--format=%(refname:short)', 'refs/heads/data/'], repos.env)
  return out === '' ? [] : out.split('\n')
}
