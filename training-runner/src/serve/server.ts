import type { AddressInfo } from 'node:net'
import fastifyMultipart from '@fastify/multipart'
import fastifySwagger from '@fastify/swagger'
import fastifySwaggerUi from '@fastify/swagger-ui'
import Fastify, { type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify'
import { defaultQaPolicy } from '@wms/shared/config/qa-policy'
import { RUNNER_VERSION } from '../version.js'
import { BoundedQueue } from './bounded-queue.js'
import { ServeMetrics, type PredictErrorReason } from './metrics.js'
import { ModelSlot } from './model-slot.js'
import type { ModelSource } from './model-source.js'
import { ModelUpdater, type RefreshOutcome, type UpdaterLog } from './model-updater.js'
import { registerPredictRoute } from './predict-route.js'
import { RAW_CONTENT_TYPES } from './read-upload.js'
import { infoSchema, healthSchema, predictBodyDoc, readySchema } from './schemas.js'
import { ServeError } from './serve-error.js'

/** Options of {@link startModelServer}. */
export interface ServeOptions {
  source: ModelSource
  host?: string
  /** 0 picks a free port (tests). */
  port?: number
  /** Seconds between registry looks (default 30; 0: never look again). */
  pollSeconds?: number
  /** Predictions running at once (default 2: one decoding while one infers). */
  concurrency?: number
  /** Requests waiting for a slot before 503 + Retry-After (default 32). */
  maxWaiting?: number
  /** Largest upload in bytes (default: the QA file-size limit, 50 MiB). */
  maxBodyBytes?: number
  /** Largest image in pixels (default: the QA pixel limit, 40 million); refused before decoding. */
  maxPixels?: number
  /** How long shutdown waits for in-flight requests before cutting connections (default 30 s). */
  graceSeconds?: number
  log?: UpdaterLog
}

/** A running server. */
export interface ModelServer {
  app: FastifyInstance
  /** `http://host:port`. */
  url: string
  slot: ModelSlot
  updater: ModelUpdater
  metrics: ServeMetrics
  queue: BoundedQueue
  /** The first look at the source (the server already answers /health meanwhile). */
  firstLoad: Promise<RefreshOutcome>
  /** Graceful shutdown: not ready, no new requests, in-flight ones finish, then the models are disposed. */
  close(): Promise<void>
}

const quietLog: UpdaterLog = { info: () => undefined, warn: () => undefined }

/** The routes and where they are documented, for `/`. */
const ROUTES = {
  'POST /predict': 'mask of one photo (PNG, or JSON with ?format=json)',
  'GET /health': 'liveness',
  'GET /ready': 'readiness (a model is loaded)',
  'GET /metrics': 'Prometheus metrics',
  'GET /docs': 'OpenAPI description (JSON at /docs/json)',
}

/** Builds the app, starts listening, and starts loading the model (see {@link ModelServer}). */
export async function startModelServer(options: ServeOptions): Promise<ModelServer> {
  const policy = defaultQaPolicy()
  const limits = {
    maxBodyBytes: options.maxBodyBytes ?? policy.maxFileBytes,
    maxPixels: options.maxPixels ?? policy.maxPixels,
  }
  const log = options.log ?? quietLog
  const metrics = new ServeMetrics()
  const slot = new ModelSlot()
  const queue = new BoundedQueue({ concurrency: options.concurrency ?? 2, maxWaiting: options.maxWaiting ?? 32 })
  const pollSeconds = options.pollSeconds ?? 30
  const updater = new ModelUpdater({
    source: options.source,
    slot,
    log,
    pollSeconds,
    onSwap: (model) => metrics.modelLoaded(model.version),
  })
  let closing = false

  const app = Fastify({ logger: false, bodyLimit: limits.maxBodyBytes, forceCloseConnections: false })
  app.removeAllContentTypeParsers()
  app.addContentTypeParser([...RAW_CONTENT_TYPES], { parseAs: 'buffer' }, (_request, body, done) => {
    done(null, body)
  })
  await app.register(fastifyMultipart, { limits: { fileSize: limits.maxBodyBytes } })
  await app.register(fastifySwagger, {
    openapi: {
      info: {
        title: 'WMS Studio — water-meter segmentation API',
        description: 'Serves the production U-Net: one photo in, its counter mask out.',
        version: RUNNER_VERSION,
      },
      tags: [{ name: 'prediction' }, { name: 'service' }],
    },
    transform: ({ schema, url }) => ({
      schema: url === '/predict' ? { ...schema, ...predictBodyDoc } : schema,
      url,
    }),
  })
  await app.register(fastifySwaggerUi, { routePrefix: '/docs' })

  const failures = new WeakMap<FastifyRequest, PredictErrorReason>()
  app.setErrorHandler((thrown: FastifyError | ServeError, request, reply) => {
    const error = toServeError(thrown, limits.maxBodyBytes, request.headers['content-type'])
    failures.set(request, error.reason)
    if (error.statusCode >= 500 && error.code === 'internal') log.warn(`${request.url}: ${thrown.message}`)
    return reply.code(error.statusCode).headers(error.headers).send(error.body())
  })
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: 'not-found',
      message: `${request.method} ${request.url} is not a route of this server.`,
      hint: `Routes: ${Object.keys(ROUTES).join(', ')}.`,
    }),
  )
  app.addHook('onResponse', (request, reply, done) => {
    if (request.routeOptions.url === '/predict' && reply.statusCode >= 400) {
      metrics.failed(slot.model?.version, failures.get(request) ?? (reply.statusCode >= 500 ? 'internal' : 'bad_input'))
    }
    done()
  })

  // While shutting down, each answer closes its connection, so keep-alive clients let the server finish.
  app.addHook('onSend', (_request, reply, payload, done) => {
    if (closing) void reply.header('connection', 'close')
    done(null, payload)
  })

  app.get('/', { schema: infoSchema }, () => {
    const model = slot.model
    return {
      name: 'wms-serve',
      runner: RUNNER_VERSION,
      source: options.source.display,
      model:
        model === undefined
          ? null
          : {
              version: model.version,
              source: model.source,
              loadedAt: model.loadedAt,
              inputSize: model.predictor.metadata.input.size,
              threshold: model.predictor.threshold,
              testDice: model.predictor.metadata.metrics.test?.dice ?? null,
            },
      problem: updater.problem,
      routes: ROUTES,
    }
  })
  app.get('/health', { schema: healthSchema }, () => ({ status: 'live' as const }))
  app.get('/ready', { schema: readySchema }, (_request, reply) => {
    const model = slot.model
    if (closing) throw new ServeError(503, 'shutting-down', 'The server is shutting down.', 'Use another replica.')
    if (model === undefined) throw notReady(updater.problem, pollSeconds)
    return reply.send({ status: 'ready', model_version: model.version })
  })
  app.get('/metrics', { schema: { tags: ['service'], summary: 'Prometheus metrics' } }, async (_request, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  )
  registerPredictRoute(app, {
    slot,
    queue,
    metrics,
    maxBodyBytes: limits.maxBodyBytes,
    maxPixels: limits.maxPixels,
    closing: () => closing,
    notReady: () => notReady(updater.problem, pollSeconds),
  })

  await app.listen({ host: options.host ?? '127.0.0.1', port: options.port ?? 8000 })
  const address = app.server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const firstLoad = updater.start()

  let closed: Promise<void> | undefined
  const close = (): Promise<void> => {
    closed ??= (async () => {
      closing = true
      await updater.stop()
      // Requests still running after the grace period are cut, so a stuck client cannot block a rollout forever.
      const cut = setTimeout(() => app.server.closeAllConnections(), (options.graceSeconds ?? 30) * 1000)
      cut.unref()
      // Idle keep-alive connections are closed only after the event loop has had a turn to read what already
      // arrived: while a synchronous inference blocks it, a received request still looks idle and would be dropped.
      const sweep = setInterval(() => app.server.closeIdleConnections(), 250)
      await app.close()
      clearInterval(sweep)
      clearTimeout(cut)
      slot.clear()
      metrics.modelLoaded(undefined)
    })()
    return closed
  }
  return { app, url: `http://${host}:${String(address.port)}`, slot, updater, metrics, queue, firstLoad, close }
}

function notReady(problem: string | null, pollSeconds: number): ServeError {
  return new ServeError(
    503,
    'not-ready',
    `No model is loaded yet${problem === null ? '' : `: ${problem}`}`,
    'Promote a model (training-runner promote), or check the registry address and credentials.',
    { 'retry-after': String(Math.max(1, Math.round(pollSeconds))) },
  )
}

/** Any error thrown while serving → the status and sentence the client gets. */
function toServeError(
  thrown: FastifyError | ServeError,
  maxBodyBytes: number,
  contentType: string | undefined,
): ServeError {
  if (thrown instanceof ServeError) return thrown
  const send = 'Send one JPEG or PNG photo (raw body or multipart field "image").'
  switch (thrown.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
    case 'FST_REQ_FILE_TOO_LARGE':
      return new ServeError(
        413,
        'body-too-large',
        `The upload is over the limit of ${String(maxBodyBytes)} bytes.`,
        'Send a smaller photo (downscale or recompress it).',
      )
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new ServeError(
        415,
        'unsupported-content-type',
        contentType === undefined
          ? 'The request has no Content-Type, so the body cannot be read as an image.'
          : `Content-Type ${contentType} is not an image upload.`,
        `${send} Content-Type: ${RAW_CONTENT_TYPES.join(', ')} or multipart/form-data.`,
      )
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new ServeError(400, 'bad-content-length', 'Content-Length does not match the body.', send)
    default:
      break
  }
  if (thrown.validation !== undefined) {
    return new ServeError(400, 'invalid-request', thrown.message, 'See /docs for the parameters each route takes.')
  }
  const status = thrown.statusCode ?? 500
  if (status >= 400 && status < 500) return new ServeError(status, 'bad-request', thrown.message, send)
  return new ServeError(500, 'internal', `Prediction failed: ${thrown.message}`, 'This is a server bug; see its log.')
}
