import { execFileSync } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { nullSink } from '../events/event-sink.js'
import { LocalRunner } from './local-runner.js'

const dirs: string[] = []
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true })
})

describe('LocalRunner', () => {
  it('runs a branch pushed after it started watching an origin that had none', async () => {
    const base = await mkdtemp(path.join(os.tmpdir(), 'wms-local-runner-'))
    dirs.push(base)
    const git = (cwd: string, ...args: string[]) =>
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, encoding: 'utf8' })
    git(base, 'init', '-q', '--bare', 'origin.git')
    const work = path.join(base, 'work')
    git(base, 'init', '-q', '-b', 'main', work)
    git(work, 'remote', 'add', 'origin', '../origin.git')
    git(work, 'commit', '-q', '--allow-empty', '-m', 'start')
    git(work, 'push', '-q', 'origin', 'main')

    const ran: string[] = []
    const runner = new LocalRunner({
      root: work,
      pollMs: 20,
      events: nullSink,
      execute: (branch) => {
        ran.push(branch)
        return Promise.resolve(undefined)
      },
    })
    runner.start()
    try {
      // Its first looks find nothing to run (the queue drains empty); a later push must still be picked up.
      await new Promise((resolve) => setTimeout(resolve, 200))
      git(work, 'push', '-q', 'origin', 'main:refs/heads/data/20260101-120000')
      const started = Date.now()
      while (ran.length === 0 && Date.now() - started < 10_000) await new Promise((resolve) => setTimeout(resolve, 20))
      expect(ran).toEqual(['data/20260101-120000'])
    } finally {
      await runner.stop()
    }
  })
})
