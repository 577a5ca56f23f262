import type { FastifyInstance } from 'fastify'
import { WmsError } from '@wms/shared/errors'
import { maskToPng, predictMask } from '../train/predict.js'
import { QueueFullError, type BoundedQueue } from './bounded-queue.js'
import type { ServeMetrics } from './metrics.js'
import type { ModelSlot } from './model-slot.js'
import { checkImageHeader, readUpload } from './read-upload.js'
import { predictSchema } from './schemas.js'
import { ServeError } from './serve-error.js'

/** What `/predict` needs from the server. */
export interface PredictRouteDeps {
  slot: ModelSlot
  queue: BoundedQueue
  metrics: ServeMetrics
  maxBodyBytes: number
  maxPixels: number
  closing: () => boolean
  notReady: () => ServeError
}

/**
 * `POST /predict`: reads the upload, refuses bad input from its header before decoding, waits for a slot in the
 * bounded queue, leases the current model for the whole prediction (a swap mid-request is harmless), and answers
 * the mask as PNG or as JSON with the PNG in base64. Inference is `predictMask`, the code `predict` runs.
 */
export function registerPredictRoute(app: FastifyInstance, deps: PredictRouteDeps): void {
  app.post<{ Querystring: { format?: 'png' | 'json' } }>(
    '/predict',
    { schema: predictSchema },
    async (request, reply) => {
      const started = performance.now()
      if (deps.closing()) {
        throw new ServeError(503, 'shutting-down', 'The server is shutting down.', 'Retry; another replica answers.')
      }
      if (deps.slot.model === undefined) throw deps.notReady()
      const bytes = await readUpload(request, deps.maxBodyBytes)
      await checkImageHeader(bytes, deps.maxPixels)
      const result = await runQueued(deps, async () => {
        const lease = deps.slot.lease()
        if (lease === undefined) throw deps.notReady()
        try {
          const prediction = await predictMask(lease.model.predictor, bytes, { maxPixels: deps.maxPixels })
          return { prediction, png: await maskToPng(prediction), version: lease.model.version }
        } finally {
          lease.release()
        }
      })
      const seconds = (performance.now() - started) / 1000
      deps.metrics.predicted(result.version, seconds)
      const { width, height, foreground } = result.prediction
      if (wantsJson(request.query.format, request.headers.accept)) {
        return reply.send({
          status: 'success',
          mask_base64: result.png.toString('base64'),
          width,
          height,
          foreground,
          model_version: result.version,
          latency_seconds: seconds,
        })
      }
      return reply
        .type('image/png')
        .headers({
          'x-model-version': result.version,
          'x-foreground-share': foreground.toFixed(6),
          'x-latency-seconds': seconds.toFixed(4),
          'x-mask-size': `${String(width)}x${String(height)}`,
        })
        .send(result.png)
    },
  )
}

async function runQueued<T>(deps: PredictRouteDeps, job: () => Promise<T>): Promise<T> {
  try {
    return await deps.queue.run(job)
  } catch (thrown) {
    if (thrown instanceof QueueFullError) {
      throw new ServeError(
        503,
        'overloaded',
        `The server is at capacity: ${thrown.message}.`,
        'Retry after the delay in Retry-After.',
        {
          'retry-after': String(thrown.retryAfterSeconds),
        },
      )
    }
    if (thrown instanceof WmsError && thrown.code === 'images/unreadable') {
      throw new ServeError(
        422,
        'unreadable-image',
        `The image could not be decoded: it is truncated or corrupt (${thrown.message.replace(/^Cannot decode [^:]*: /, '')}).`,
        'Send the complete file; re-export it if it opens nowhere else either.',
      )
    }
    throw thrown
  }
}

/** JSON when asked by `?format=json`, or by an Accept header that names JSON (and not PNG first). */
function wantsJson(format: 'png' | 'json' | undefined, accept: string | undefined): boolean {
  if (format !== undefined) return format === 'json'
  if (accept === undefined) return false
  const json = accept.indexOf('application/json')
  const png = accept.indexOf('image/png')
  return json !== -1 && (png === -1 || json < png)
}
