import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'
import { parseNdjsonLine, type PipelineEvent } from '@wms/shared/pipeline/events'
import type { PipelineRunRecord } from '@wms/shared/pipeline/run-record'
import {
  callbackSink,
  listRunRecords,
  LocalRunner,
  readRunRecord,
  type PipelineExecutor,
  type RunnerState,
} from 'training-runner'
import type { Disposable } from '../disposables.js'

/** Options of {@link PipelineService}. */
export interface PipelineServiceOptions {
  workspaceRoot: string
  /** Where pipeline events go (the `pipeline:event` channel). */
  onEvent: (event: PipelineEvent) => void
  /** The runner's CLI module (`training-runner/dist/cli/main.js`); default: resolved from the installed runner. */
  cliModule?: string
  /** How often the runner looks at the origin (tests shorten it). */
  pollMs?: number
  /** Extra arguments of `pipeline run` (tests pass a small training config). */
  runArgs?: readonly string[]
  /** Node options of the child (tests run the runner from source: `--import tsx`). */
  execArgv?: readonly string[]
  /**
   * The child's environment, read at each start: the app's, with the MLflow account saved in Settings (its server
   * and login as MLflow's variables), so runs are recorded where the app reads them. Default: the app's.
   */
  childEnv?: () => Promise<NodeJS.ProcessEnv>
}

/** What the Pipeline area shows. */
export interface PipelineOverview {
  runs: PipelineRunRecord[]
  running: string | null
  queued: string[]
}

/**
 * The local pipeline runner inside the app (workspaces whose `pipeline.runner` is `local`, like the demo): it
 * watches the workspace's origin for pushed `data/*` branches and runs each one's pipeline to a verdict, one at a
 * time, each in a child process of the runner's CLI (training never blocks the app), forwarding its NDJSON events
 * on `pipeline:event`. Quitting the app stops the child with SIGTERM: its record says `interrupted` and the next
 * start resumes it; a run killed outright (a crash) is resumed the same way.
 */
export class PipelineService implements Disposable {
  private readonly runner: LocalRunner
  private readonly children = new Set<ReturnType<typeof spawn>>()

  constructor(private readonly options: PipelineServiceOptions) {
    this.runner = new LocalRunner({
      root: options.workspaceRoot,
      ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
      execute: this.executeInChild,
      events: callbackSink(options.onEvent),
    })
  }

  /** Starts watching the origin. */
  start(): void {
    this.runner.start()
  }

  /** Every run record, and what runs and waits now. */
  async overview(): Promise<PipelineOverview> {
    return { runs: await listRunRecords(this.options.workspaceRoot), ...this.runner.state() }
  }

  /** What runs and waits now (the status source's queue). */
  overviewState(): RunnerState {
    return this.runner.state()
  }

  async dispose(): Promise<void> {
    await this.runner.stop()
  }

  private readonly executeInChild: PipelineExecutor = async (branch, resume, signal) => {
    // Unreadable stored accounts leave the app's own environment: MLflow then says what is missing, in the run.
    const env = (await this.options.childEnv?.().catch(() => undefined)) ?? process.env
    if (signal.aborted) return readRunRecord(this.options.workspaceRoot, branch)
    const cli = this.options.cliModule ?? createRequire(import.meta.url).resolve('training-runner/cli/main')
    const script = `const { runCli } = await import(${JSON.stringify(pathToFileURL(cli).href)}); process.exitCode = await runCli(process.argv.slice(1))`
    const args = [
      '--events',
      'ndjson',
      'pipeline',
      'run',
      '--branch',
      branch,
      '-w',
      this.options.workspaceRoot,
      '--settle',
      '1000',
    ]
    if (resume) args.push('--resume')
    args.push(...(this.options.runArgs ?? []))
    // In Electron, process.execPath is the app itself: ELECTRON_RUN_AS_NODE makes it a plain Node for the child.
    const child = spawn(
      process.execPath,
      [...(this.options.execArgv ?? []), '--input-type=module', '-e', script, '--', ...args],
      {
        env: { ...env, ELECTRON_RUN_AS_NODE: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    this.children.add(child)
    const stop = (): void => {
      child.kill('SIGTERM')
    }
    signal.addEventListener('abort', stop, { once: true })
    let pending = ''
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8')
      const lines = pending.split('\n')
      pending = lines.pop() ?? ''
      for (const line of lines) this.forward(line, branch)
    })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000)
    })
    return new Promise((resolve, reject) => {
      child.on('error', reject)
      child.on('exit', (code, exitSignal) => {
        this.children.delete(child)
        signal.removeEventListener('abort', stop)
        this.forward(pending, branch)
        if (code !== 0 && code !== 1) {
          const why = exitSignal === null ? `exit code ${String(code)}` : `signal ${exitSignal}`
          this.options.onEvent({
            type: 'log',
            level: 'warn',
            branch,
            at: Date.now(),
            message: `The pipeline of ${branch} stopped (${why}). ${stderr.trim().split('\n').at(-1) ?? ''}`,
          })
        }
        resolve(readRunRecord(this.options.workspaceRoot, branch))
      })
    })
  }

  private forward(line: string, branch: string): void {
    const event = parseNdjsonLine(line)
    if (event === undefined) return
    const forwarded = { ...event, branch: event.branch ?? branch }
    // The CLI's closing `done` carries the whole record; the list re-reads records, so it travels without it.
    if (forwarded.type === 'done') delete forwarded.result
    this.options.onEvent(forwarded)
  }
}
