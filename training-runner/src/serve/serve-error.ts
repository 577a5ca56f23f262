import type { PredictErrorReason } from './metrics.js'

/** A request the server refuses, with a status, a stable code, a sentence for people and what to do. */
export class ServeError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly hint: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }

  /** The `reason` label of `wms_predict_errors_total`. */
  get reason(): PredictErrorReason {
    if (this.statusCode === 413) return 'too_large'
    if (this.code === 'overloaded') return 'overloaded'
    if (this.code === 'not-ready') return 'not_ready'
    return this.statusCode >= 500 ? 'internal' : 'bad_input'
  }

  /** The JSON body every refusal has. */
  body(): { error: string; message: string; hint: string } {
    return { error: this.code, message: this.message, hint: this.hint }
  }
}
