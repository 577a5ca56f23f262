import { afterEach, describe, expect, it } from 'vitest'
import { WmsError } from '@wms/shared/errors'
import { startMlflowTestServer, type MlflowTestServer } from '../../../test/helpers/mlflow-test-server.js'
import { useTempDirs } from '../../../test/helpers/temp-dir.js'
import { getOrCreateExperiment, openTrackingStore } from '../open-tracking-store.js'
import { authFromEnv } from './mlflow-http.js'
import { MlflowRestStore } from './rest-store.js'

const servers: MlflowTestServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()))
})

async function failure(promise: Promise<unknown>): Promise<WmsError> {
  const thrown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  )
  expect(thrown).toBeInstanceOf(WmsError)
  return thrown as WmsError
}

describe('MLflow test server reproduces the recorded wire format', () => {
  const tempDir = useTempDirs()

  async function server(): Promise<MlflowTestServer> {
    const started = await startMlflowTestServer(await tempDir())
    servers.push(started)
    return started
  }

  const post = (base: string, route: string, body: unknown, contentType = 'application/json') =>
    fetch(`${base}/api/2.0/mlflow/${route}`, {
      method: 'POST',
      headers: { 'Content-Type': contentType },
      body: JSON.stringify(body),
    })

  it('answers with string ids, numeric timestamps, omitted empty fields and "NaN"', async () => {
    const { url } = await server()
    const created = (await (await post(url, 'experiments/create', { name: 'acc-exp' })).json()) as {
      experiment_id: unknown
    }
    expect(typeof created.experiment_id).toBe('string')
    const runJson = (await (
      await post(url, 'runs/create', { experiment_id: created.experiment_id, run_name: 'r1', start_time: 5 })
    ).json()) as { run: { info: Record<string, unknown>; data: Record<string, unknown> } }
    expect(runJson.run.info).toMatchObject({ run_name: 'r1', status: 'RUNNING', start_time: 5, user_id: '' })
    expect(runJson.run.info).not.toHaveProperty('end_time')
    expect(runJson.run.data).not.toHaveProperty('params')
    expect(runJson.run.info.artifact_uri).toMatch(/^mlflow-artifacts:\/\d+\/[0-9a-f]{32}\/artifacts$/)
    const runId = runJson.run.info.run_id as string
    await post(url, 'runs/log-batch', { run_id: runId, metrics: [{ key: 'm', value: 'NaN', timestamp: 1, step: 0 }] })
    const history = await (await fetch(`${url}/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=m`)).json()
    expect(history).toEqual({ metrics: [{ key: 'm', value: 'NaN', timestamp: 1, step: 0 }] })
  })

  it('answers errors like MLflow: JSON codes, HTML 404/405, 400 for a missing alias, Content-Type check', async () => {
    const { url } = await server()
    const missing = await fetch(`${url}/api/2.0/mlflow/runs/get?run_id=doesnotexist`)
    expect(missing.status).toBe(404)
    expect(await missing.json()).toEqual({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: 'Run with id=doesnotexist not found',
    })
    const unknown = await fetch(`${url}/api/2.0/mlflow/nope`)
    expect([unknown.status, unknown.headers.get('content-type')]).toEqual([404, 'text/html; charset=utf-8'])
    const wrongMethod = await fetch(`${url}/api/2.0/mlflow/runs/search`)
    expect(wrongMethod.status).toBe(405)
    await post(url, 'registered-models/create', { name: 'm' })
    const alias = await fetch(`${url}/api/2.0/mlflow/registered-models/alias?name=m&alias=champion`)
    expect(alias.status).toBe(400)
    expect(await alias.json()).toEqual({
      error_code: 'INVALID_PARAMETER_VALUE',
      message: 'Registered model alias champion not found.',
    })
    const plain = await post(url, 'experiments/create', { name: 'x' }, 'text/plain')
    expect(plain.status).toBe(400)
    const noTimestamp = await post(url, 'runs/log-metric', { run_id: 'x', key: 'k', value: 1 })
    expect(noTimestamp.status).toBe(400)
    const badSource = await post(url, 'model-versions/create', { name: 'm', source: '/tmp/x' })
    expect(((await badSource.json()) as { message: string }).message).toContain('Invalid model version source')
  })
})

describe('MlflowRestStore against the test server', () => {
  const tempDir = useTempDirs()

  async function setup(options: { retries?: number; timeoutMs?: number } = {}) {
    const server = await startMlflowTestServer(await tempDir())
    servers.push(server)
    const store = new MlflowRestStore({
      uri: server.url,
      backoffMs: 1,
      retries: options.retries ?? 3,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    })
    return { server, store }
  }

  it('sends ids as strings and NaN as "NaN"', async () => {
    const { server, store } = await setup()
    const { experimentId } = await getOrCreateExperiment(store, 'wms')
    const run = await store.createRun({ experimentId })
    await store.logBatch(run.runId, { metrics: [{ key: 'dice', value: NaN, timestamp: 1, step: 2 }] })
    const batch = server.requests.find((request) => request.route === 'runs/log-batch')
    expect(batch?.body).toEqual({ run_id: run.runId, metrics: [{ key: 'dice', value: 'NaN', timestamp: 1, step: 2 }] })
    const create = server.requests.find((request) => request.route === 'runs/create')
    expect(typeof (create?.body as { experiment_id: unknown }).experiment_id).toBe('string')
  })

  it('maps an unknown endpoint (HTML 404) to tracking/unsupported', async () => {
    const { server, store } = await setup()
    server.faults.push({
      route: 'GET registered-models/alias',
      status: 404,
      body: '<!doctype html><title>404 Not Found</title>',
    })
    await store.createRegisteredModel('m')
    const error = await failure(store.getModelVersionByAlias('m', 'production'))
    expect(error.code).toBe('tracking/unsupported')
    expect(error.hint).toContain('MLflow tracking server')
  })

  it('retries idempotent calls on 503 and HTML 500, but not creates', async () => {
    const { server, store } = await setup()
    await store.createRegisteredModel('m')
    server.faults.push({ route: 'GET registered-models/get', status: 503, times: 2 })
    expect((await store.getRegisteredModel('m'))?.name).toBe('m')
    expect(server.requests.filter((request) => request.route === 'registered-models/get')).toHaveLength(3)

    server.faults.push({ route: 'POST experiments/create', status: 503, times: 1 })
    const error = await failure(store.createExperiment('x'))
    expect([error.code, error.retryable]).toEqual(['tracking/unavailable', true])
    expect(server.requests.filter((request) => request.route === 'experiments/create')).toHaveLength(1)
  })

  it('does not retry a definite JSON INTERNAL_ERROR and gives up after the retry budget', async () => {
    const { server, store } = await setup({ retries: 2 })
    server.faults.push({
      route: 'GET registered-models/get',
      status: 500,
      contentType: 'application/json',
      body: JSON.stringify({ error_code: 'INTERNAL_ERROR', message: 'boom' }),
      times: 1,
    })
    const error = await failure(store.getRegisteredModel('m'))
    expect(error.code).toBe('tracking/unavailable')
    expect(error.message).toContain('boom')
    expect(server.requests).toHaveLength(1)
    server.faults.push({ route: '*', status: 502 })
    await failure(store.getRegisteredModel('m'))
    expect(server.requests).toHaveLength(4)
  })

  it('times out a slow server and says so', async () => {
    const { server, store } = await setup({ retries: 1, timeoutMs: 100 })
    server.faults.push({ route: '*', delayMs: 400 })
    const error = await failure(store.getRegisteredModel('m'))
    expect(error.code).toBe('tracking/unavailable')
    expect(error.message).toContain('no answer within 0.1 s')
  })

  it('reports an unreachable server as unavailable', async () => {
    const store = new MlflowRestStore({ uri: 'http://127.0.0.1:9', retries: 0 })
    const error = await failure(store.getRegisteredModel('m'))
    expect([error.code, error.retryable]).toEqual(['tracking/unavailable', true])
  })

  it('authenticates with a bearer token or basic credentials from the environment, never echoing them', async () => {
    const { server } = await setup()
    server.requireAuthorization = 'Bearer s3cret-token'
    const anonymous = openTrackingStore({ uri: server.url }, { workspaceRoot: '/', env: {}, http: { retries: 0 } })
    const refused = await failure(anonymous.getRegisteredModel('m'))
    expect(refused.code).toBe('tracking/auth-failed')
    expect(refused.hint).toContain('MLFLOW_TRACKING_TOKEN')
    const bearer = openTrackingStore(
      { uri: server.url },
      { workspaceRoot: '/', env: { MLFLOW_TRACKING_TOKEN: 's3cret-token' } },
    )
    expect(await bearer.getRegisteredModel('m')).toBeUndefined()

    server.requireAuthorization = `Basic ${Buffer.from('alice:pa55').toString('base64')}`
    const basic = openTrackingStore(
      { uri: server.url },
      { workspaceRoot: '/', env: { MLFLOW_TRACKING_USERNAME: 'alice', MLFLOW_TRACKING_PASSWORD: 'pa55' } },
    )
    expect(await basic.getRegisteredModel('m')).toBeUndefined()
    const inUrl = openTrackingStore(
      { uri: server.url.replace('http://', 'http://alice:pa55@') },
      { workspaceRoot: '/' },
    )
    expect(await inUrl.getRegisteredModel('m')).toBeUndefined()
    expect(inUrl.display).toBe(server.url)
    const wrong = openTrackingStore(
      { uri: server.url.replace('http://', 'http://alice:wrong@') },
      { workspaceRoot: '/', http: { retries: 0 } },
    )
    const error = await failure(wrong.getRegisteredModel('m'))
    expect(`${error.message} ${error.hint ?? ''}`).not.toContain('wrong')
  })

  it('reads credentials from MLflow variables only', () => {
    expect(authFromEnv({})).toBeUndefined()
    expect(
      authFromEnv({ MLFLOW_TRACKING_TOKEN: 't', MLFLOW_TRACKING_USERNAME: 'u', MLFLOW_TRACKING_PASSWORD: 'p' }),
    ).toEqual({ kind: 'bearer', token: 't' })
    expect(authFromEnv({ MLFLOW_TRACKING_USERNAME: 'u', MLFLOW_TRACKING_PASSWORD: 'p' })).toEqual({
      kind: 'basic',
      username: 'u',
      password: 'p',
    })
  })
})
