import { spawn } from 'node:child_process'
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { installHooks } from 'training-runner'
import { median, row } from './lib/stats.js'

/**
 * The pre-push hook's cost on a push without data (issue 15: under 200 ms), measured in the same run as its
 * baselines: a bare `sh -c true` and `node -e 0` start, and the same `git push` from a clone without the hook.
 *
 *   - hook, main, code only:    what git runs for a code push to main (the shim decides without node)
 *   - hook, feature branch:     a push that is not to main
 *   - hook, main, docs/images/: a code push whose path looks like data, so node and the runner decide (one git log)
 *   - git push with / without:  end to end, one new code commit each time, alternating
 *
 * Run: npm run bench:hook [runs]   (builds the runner first: the hook runs the built CLI, as users get it)
 */
const root = path.resolve(import.meta.dirname, '..')
const runs = Number(process.argv[2] ?? 15)

interface Ran {
  ms: number
  code: number
  output: string
}

function timed(command: string, args: string[], options: { cwd: string; input?: string }): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(command, args, { cwd: options.cwd, env: benchEnv, stdio: ['pipe', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.on('error', reject)
    child.on('close', (code) => resolve({ ms: performance.now() - started, code: code ?? 1, output }))
    // A command that exits without reading its input (sh -c true) closes the pipe first.
    child.stdin.on('error', () => undefined)
    child.stdin.end(options.input ?? '')
  })
}

let benchEnv: NodeJS.ProcessEnv = {}

async function git(cwd: string, ...args: string[]): Promise<string> {
  const ran = await timed('git', args, { cwd })
  if (ran.code !== 0) throw new Error(`git ${args.join(' ')}: ${ran.output}`)
  return ran.output.trim()
}

async function clone(base: string, origin: string, name: string): Promise<string> {
  const dir = path.join(base, name)
  await git(base, 'clone', '-q', origin, dir)
  return dir
}

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'wms-bench-hook-'))
  benchEnv = {
    PATH: '/usr/bin:/bin',
    HOME: base,
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_AUTHOR_NAME: 'Bench',
    GIT_AUTHOR_EMAIL: 'bench@wms.invalid',
    GIT_COMMITTER_NAME: 'Bench',
    GIT_COMMITTER_EMAIL: 'bench@wms.invalid',
  }
  try {
    const origin = path.join(base, 'origin.git')
    await git(base, 'init', '-q', '--bare', '--initial-branch=main', origin)
    const seed = path.join(base, 'seed')
    await git(base, 'init', '-q', '--initial-branch=main', seed)
    await writeFile(
      path.join(seed, 'wms.config.json'),
      `${JSON.stringify({ version: 1, name: 'Bench', dataset: { root: 'data/training', remote: { type: 'local', path: '../dvc' } }, tracking: { uri: 'file:../mlruns' } })}\n`,
    )
    await writeFile(path.join(seed, 'code.txt'), '0\n')
    await git(seed, 'add', '-A')
    await git(seed, 'commit', '-q', '-m', 'Workspace')
    await git(seed, 'push', '-q', origin, 'main')
    const withHook = await clone(base, origin, 'with-hook')
    const without = await clone(base, origin, 'without-hook')
    const runner = path.join(root, 'training-runner/bin/training-runner.js')
    const installed = await installHooks(withHook, { runner })
    const hook = installed.hookFile

    // A code commit and a docs/images commit, not pushed, for the hook's direct runs.
    await writeFile(path.join(withHook, 'code.txt'), 'direct\n')
    await git(withHook, 'commit', '-q', '-am', 'Code')
    const remote = await git(withHook, 'rev-parse', 'origin/main')
    const code = await git(withHook, 'rev-parse', 'HEAD')
    await mkdir(path.join(withHook, 'docs/images'), { recursive: true })
    await writeFile(path.join(withHook, 'docs/images/logo.svg'), '<svg/>\n')
    await git(withHook, 'add', '-A')
    await git(withHook, 'commit', '-q', '-m', 'Docs picture')
    const docs = await git(withHook, 'rev-parse', 'HEAD')
    await git(withHook, 'reset', '-q', '--hard', 'origin/main')

    const mainLine = (sha: string): string => `refs/heads/main ${sha} refs/heads/main ${remote}\n`
    const featureLine = `refs/heads/feature ${code} refs/heads/feature ${'0'.repeat(40)}\n`
    const cases: { name: string; run: () => Promise<Ran> }[] = [
      { name: 'baseline: sh -c true', run: () => timed('sh', ['-c', 'true'], { cwd: withHook }) },
      { name: 'baseline: node -e 0', run: () => timed(process.execPath, ['-e', '0'], { cwd: withHook }) },
      {
        name: 'hook, main, code only',
        run: () => timed('sh', [hook, 'origin', origin], { cwd: withHook, input: mainLine(code) }),
      },
      {
        name: 'hook, feature branch',
        run: () => timed('sh', [hook, 'origin', origin], { cwd: withHook, input: featureLine }),
      },
      {
        name: 'hook, main, docs/images/ (node)',
        run: () => timed('sh', [hook, 'origin', origin], { cwd: withHook, input: mainLine(docs) }),
      },
    ]
    const samples = new Map<string, number[]>(cases.map((entry) => [entry.name, []]))
    for (let round = 0; round < runs; round += 1) {
      for (const entry of cases) {
        const ran = await entry.run()
        if (ran.code !== 0) throw new Error(`${entry.name} exited ${String(ran.code)}: ${ran.output}`)
        samples.get(entry.name)?.push(ran.ms)
      }
    }
    // End to end: a new code commit pushed to main each time, with and without the hook, alternating.
    const pushes = { with: [] as number[], without: [] as number[] }
    for (let round = 0; round < runs; round += 1) {
      for (const [dir, bucket] of [
        [withHook, pushes.with],
        [without, pushes.without],
      ] as const) {
        await git(dir, 'pull', '-q', '--rebase', 'origin', 'main')
        await writeFile(path.join(dir, 'code.txt'), `${dir} ${String(round)}\n`)
        await git(dir, 'commit', '-q', '-am', `Code ${String(round)}`)
        const ran = await timed('git', ['push', '-q', 'origin', 'main'], { cwd: dir })
        if (ran.code !== 0) throw new Error(`push failed: ${ran.output}`)
        bucket.push(ran.ms)
      }
    }

    const load = os.loadavg().map((value) => value.toFixed(2))
    console.log(`pre-push hook without data: ${String(runs)} runs each, medians; load ${load.join(' ')}`)
    const widths = [34, 12, 16]
    console.log(row(['case', 'median ms', 'vs sh -c true'], widths))
    const shell = median(samples.get('baseline: sh -c true') ?? [])
    for (const [name, values] of samples) {
      const value = median(values)
      console.log(row([name, value.toFixed(1), `${(value / shell).toFixed(2)}×`], widths))
    }
    const pushWith = median(pushes.with)
    const pushWithout = median(pushes.without)
    console.log(row(['git push, no hook (baseline)', pushWithout.toFixed(1), ''], widths))
    console.log(row(['git push, with the hook', pushWith.toFixed(1), ''], widths))
    console.log(
      `hook's share of a push without data: ${(pushWith - pushWithout).toFixed(1)} ms (${(pushWith / pushWithout).toFixed(2)}× the push without it)`,
    )
  } finally {
    await rm(base, { recursive: true, force: true })
  }
}

await main()
