import * as tf from '@tensorflow/tfjs'
import { toAppError } from '@wms/shared/errors'
import { loadPredictor } from '../train/predict.js'
import type { ModelSource } from './model-source.js'
import type { ModelSlot, ServedModel } from './model-slot.js'

/** What one look at the source did. */
export type RefreshOutcome =
  | { kind: 'loaded'; version: string; previous: string | null }
  | { kind: 'unchanged'; version: string }
  | { kind: 'kept'; reason: string }
  | { kind: 'failed'; reason: string }

/** Where the updater says what it did (the server's log). */
export interface UpdaterLog {
  info(message: string): void
  warn(message: string): void
}

/** Options of {@link ModelUpdater}. */
export interface ModelUpdaterOptions {
  source: ModelSource
  slot: ModelSlot
  log: UpdaterLog
  /** Seconds between looks at a source that can change (0: never look again). */
  pollSeconds: number
  /** Called after each swap (metrics). */
  onSwap?: (model: ServedModel, previous: ServedModel | undefined) => void
}

/**
 * Keeps the slot's model in step with the source: looks every `pollSeconds`, and when production names another
 * version, downloads it, loads it, runs one warm-up prediction (a broken model is never swapped in) and swaps it
 * in. While it loads the old model keeps answering; if anything fails the old model stays and the next look tries
 * again. Looks never overlap.
 */
export class ModelUpdater {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<RefreshOutcome> | undefined
  private stopped = false
  private lastProblem: string | null = null

  constructor(private readonly options: ModelUpdaterOptions) {}

  /** Why the last look did not load a model (null after a good one). */
  get problem(): string | null {
    return this.lastProblem
  }

  /** Looks once now (a look already under way is joined, not repeated). */
  refresh(): Promise<RefreshOutcome> {
    this.running ??= this.look().finally(() => {
      this.running = undefined
    })
    return this.running
  }

  /** Looks now, then every `pollSeconds` while the source can change (or while nothing is loaded yet). */
  async start(): Promise<RefreshOutcome> {
    const outcome = await this.refresh()
    this.schedule()
    return outcome
  }

  /** Stops looking and waits for a look under way. */
  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer !== undefined) clearTimeout(this.timer)
    await this.running
  }

  private schedule(): void {
    const { pollSeconds, source, slot } = this.options
    const needed = source.changes || slot.model === undefined
    if (this.stopped || pollSeconds <= 0 || !needed) return
    this.timer = setTimeout(() => {
      void this.refresh().finally(() => this.schedule())
    }, pollSeconds * 1000)
    this.timer.unref()
  }

  private async look(): Promise<RefreshOutcome> {
    const { source, slot, log } = this.options
    const current = slot.model
    let answer
    try {
      answer = await source.resolve()
    } catch (thrown) {
      answer = { kind: 'unavailable' as const, reason: toAppError(thrown).message }
    }
    if (answer.kind !== 'found') {
      const reason = current === undefined ? answer.reason : `${answer.reason} Still serving v${current.version}.`
      return this.problemOutcome({ kind: 'kept' as const, reason })
    }
    if (current !== undefined && current.version === answer.version && current.source === answer.source) {
      this.lastProblem = null
      return { kind: 'unchanged', version: current.version }
    }
    let served: ServedModel
    try {
      served = await this.load(answer)
    } catch (thrown) {
      const reason = `Cannot load model ${answer.version} from ${answer.source}: ${toAppError(thrown).message}`
      return this.problemOutcome({ kind: 'failed' as const, reason })
    }
    if (this.stopped) {
      served.predictor.dispose()
      await served.cleanup?.()
      return { kind: 'kept', reason: 'the server is shutting down' }
    }
    const previous = slot.replace(served)
    this.lastProblem = null
    this.options.onSwap?.(served, previous)
    log.info(
      previous === undefined
        ? `serving model ${served.version} (${served.source})`
        : `switched from model ${previous.version} to ${served.version} (${served.source})`,
    )
    return { kind: 'loaded', version: served.version, previous: previous?.version ?? null }
  }

  private problemOutcome(outcome: Extract<RefreshOutcome, { reason: string }>): RefreshOutcome {
    if (outcome.reason !== this.lastProblem) this.options.log.warn(outcome.reason)
    this.lastProblem = outcome.reason
    return outcome
  }

  private async load(answer: { version: string; source: string }): Promise<ServedModel> {
    const files = await this.options.source.fetch({ kind: 'found', ...answer })
    try {
      const predictor = await loadPredictor(files.dir)
      try {
        const size = predictor.metadata.input.size
        // Warm-up: proves the weights run on this backend and compiles its kernels before any request sees it.
        tf.tidy(() => predictor.model.predictLogits(tf.zeros([1, size, size, 3])).dataSync())
      } catch (thrown) {
        predictor.dispose()
        throw thrown
      }
      return { ...answer, predictor, loadedAt: new Date().toISOString(), cleanup: files.cleanup }
    } catch (thrown) {
      await files.cleanup()
      throw thrown
    }
  }
}
