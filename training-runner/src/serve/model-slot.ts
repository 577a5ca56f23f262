import type { Predictor } from '../train/predict.js'

/** A model the server can answer with: the predictor and where it came from. */
export interface ServedModel {
  predictor: Predictor
  /** The registry version (`3`) or, for a folder, `folder:<name>`; a label on every metric. */
  version: string
  /** Where the files came from (a `runs:/…` URI, or a folder). */
  source: string
  loadedAt: string
  /** Called once after the model is disposed (e.g. removes its downloaded files). */
  cleanup?: () => Promise<void>
}

interface Entry {
  model: ServedModel
  leases: number
  retired: boolean
}

/** A borrowed model; call `release` when the request is done with it. */
export interface ModelLease {
  model: ServedModel
  release: () => void
}

/**
 * The model requests are answered with, swapped atomically: a request leases the current model for its whole
 * prediction, a swap makes the next lease get the new one, and the old model's tensors are disposed only when its
 * last lease is released — so no request ever predicts with a disposed model, and none fails during a swap.
 */
export class ModelSlot {
  private current: Entry | undefined
  private readonly retiring = new Set<Entry>()
  private readonly onDisposed: (model: ServedModel) => void

  constructor(options: { onDisposed?: (model: ServedModel) => void } = {}) {
    this.onDisposed = options.onDisposed ?? (() => undefined)
  }

  /** The model new requests get, or undefined before the first one is loaded. */
  get model(): ServedModel | undefined {
    return this.current?.model
  }

  /** Models replaced but still in use by requests. */
  get retiringCount(): number {
    return this.retiring.size
  }

  /** Leases the current model, or returns undefined when none is loaded. */
  lease(): ModelLease | undefined {
    const entry = this.current
    if (entry === undefined) return undefined
    entry.leases += 1
    let released = false
    return {
      model: entry.model,
      release: () => {
        if (released) return
        released = true
        entry.leases -= 1
        if (entry.retired && entry.leases === 0) this.dispose(entry)
      },
    }
  }

  /** Makes `model` the current one; the previous one is disposed once its requests finish. Returns it. */
  replace(model: ServedModel): ServedModel | undefined {
    const previous = this.current
    this.current = { model, leases: 0, retired: false }
    if (previous !== undefined) this.retire(previous)
    return previous?.model
  }

  /** Retires the current model too (shutdown): it is disposed when its last request finishes. */
  clear(): void {
    const previous = this.current
    this.current = undefined
    if (previous !== undefined) this.retire(previous)
  }

  private retire(entry: Entry): void {
    entry.retired = true
    if (entry.leases === 0) this.dispose(entry)
    else this.retiring.add(entry)
  }

  private dispose(entry: Entry): void {
    this.retiring.delete(entry)
    entry.model.predictor.dispose()
    // Downloaded files go with the model; a failure to delete them must not fail a request.
    void entry.model.cleanup?.().catch(() => undefined)
    this.onDisposed(entry.model)
  }
}
