import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { defaultQaPolicy } from '@wms/shared/config/qa-policy'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { selectBackend } from '../train/backend/select-backend.js'
import { gif, pngBomb, truncated } from './fixtures/bad-inputs.js'
import { testPhoto, writeTinyModel } from './fixtures/tiny-model.js'
import { folderSource } from './model-source.js'
import { startModelServer, type ModelServer } from './server.js'

/** Every route over real HTTP on loopback, and every kind of bad input (4xx, clear message, server unharmed). */

const temp = useTempDirs()
let server: ModelServer
let photo: Buffer

beforeAll(async () => {
  await selectBackend('cpu')
  const dir = await temp('wms-serve-')
  const model = await writeTinyModel(`${dir}/model`, { foreground: 'all' })
  server = await startModelServer({ source: folderSource(model), port: 0, maxBodyBytes: 64 * 1024 })
  expect(await server.firstLoad).toMatchObject({ kind: 'loaded', version: 'folder:model' })
  photo = await testPhoto(60, 40)
})
afterAll(async () => {
  await server.close()
})

const post = (body: string | Buffer | FormData | undefined, headers: Record<string, string> = {}, query = '') =>
  fetch(`${server.url}/predict${query}`, { method: 'POST', body: body ?? null, headers })

async function refusal(response: Response): Promise<{ status: number; error: string; message: string }> {
  const body = (await response.json()) as { error: string; message: string; hint: string }
  expect(body.hint.length).toBeGreaterThan(10)
  return { status: response.status, error: body.error, message: body.message }
}

describe('serve: routes', () => {
  it('answers a raw JPEG with the grey PNG mask at the photo’s size, the foreground share and the version', async () => {
    const response = await post(photo, { 'content-type': 'image/jpeg' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('image/png')
    expect(response.headers.get('x-model-version')).toBe('folder:model')
    expect(Number(response.headers.get('x-foreground-share'))).toBe(1)
    expect(Number(response.headers.get('x-latency-seconds'))).toBeGreaterThan(0)
    const png = Buffer.from(await response.arrayBuffer())
    const meta = await sharp(png).metadata()
    expect([meta.format, meta.width, meta.height, meta.channels]).toEqual(['png', 60, 40, 1])
    const data = await sharp(png).extractChannel(0).raw().toBuffer()
    expect(data.every((value) => value === 255)).toBe(true)
  })

  it('takes multipart field "image" (and legacy "file") and answers JSON with the PNG in base64', async () => {
    for (const field of ['image', 'file']) {
      const form = new FormData()
      form.append(field, new Blob([await testPhoto(48, 64, 'png')]), 'meter.png')
      const response = await post(form, { accept: 'application/json' })
      expect(response.status).toBe(200)
      const body = (await response.json()) as Record<string, unknown>
      expect(body).toMatchObject({
        status: 'success',
        width: 48,
        height: 64,
        foreground: 1,
        model_version: 'folder:model',
      })
      expect(body.latency_seconds).toBeGreaterThan(0)
      const meta = await sharp(Buffer.from(body.mask_base64 as string, 'base64')).metadata()
      expect([meta.format, meta.width, meta.height]).toEqual(['png', 48, 64])
    }
  })

  it('chooses the answer format by ?format over Accept', async () => {
    const json = await post(photo, { 'content-type': 'application/octet-stream' }, '?format=json')
    expect(json.headers.get('content-type')).toMatch(/application\/json/)
    const png = await post(photo, { 'content-type': 'image/jpeg', accept: 'application/json' }, '?format=png')
    expect(png.headers.get('content-type')).toBe('image/png')
  })

  it('serves info, liveness, readiness, metrics and the OpenAPI description', async () => {
    const info = (await (await fetch(`${server.url}/`)).json()) as Record<string, unknown>
    expect(info).toMatchObject({ name: 'wms-serve', model: { version: 'folder:model', inputSize: 32, threshold: 0.5 } })
    expect(await (await fetch(`${server.url}/health`)).json()).toEqual({ status: 'live' })
    expect(await (await fetch(`${server.url}/ready`)).json()).toEqual({
      status: 'ready',
      model_version: 'folder:model',
    })

    const metrics = await (await fetch(`${server.url}/metrics`)).text()
    expect(metrics).toMatch(/^wms_predictions_total\{model_version="folder:model"\} [1-9]/m)
    expect(metrics).toMatch(/^wms_predict_latency_seconds_count\{model_version="folder:model"\} [1-9]/m)
    expect(metrics).toMatch(/^# TYPE wms_predict_errors_total counter/m)
    expect(metrics).toMatch(/^wms_model_loaded\{model_version="folder:model"\} 1$/m)
    expect(metrics).toMatch(/^wms_tf_tensors \d+$/m)

    const docs = await fetch(`${server.url}/docs`)
    expect(docs.status).toBe(200)
    expect(await docs.text()).toMatch(/swagger/i)
    const openapi = (await (await fetch(`${server.url}/docs/json`)).json()) as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>>
    }
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining(['/', '/health', '/ready', '/metrics', '/predict']),
    )
    expect(Object.keys(openapi.paths['/predict']?.post?.requestBody?.content ?? {})).toEqual(
      expect.arrayContaining(['multipart/form-data', 'image/jpeg', 'image/png']),
    )
    const missing = await fetch(`${server.url}/nope`)
    expect(await refusal(missing)).toMatchObject({ status: 404, error: 'not-found' })
  })
})

describe('serve: bad input gets a 4xx with a clear message and no crash', () => {
  it('refuses each kind of bad upload', async () => {
    const form = (field: string, bytes: Buffer) => {
      const data = new FormData()
      data.append(field, new Blob([bytes]), 'x.jpg')
      return data
    }
    const bomb = await pngBomb()
    const gifBytes = await gif()
    const cases: [string, () => Promise<Response>, number, string, RegExp][] = [
      [
        'not an image',
        () => post('hello, I am text', { 'content-type': 'image/jpeg' }),
        422,
        'not-an-image',
        /not an image/,
      ],
      [
        'truncated',
        () => post(truncated(photo), { 'content-type': 'image/jpeg' }),
        422,
        'unreadable-image',
        /truncated/,
      ],
      [
        'bomb',
        () => post(bomb, { 'content-type': 'image/png' }),
        422,
        'too-many-pixels',
        new RegExp(`10000×10000 = 100000000 pixels, over the limit of ${String(defaultQaPolicy().maxPixels)}`),
      ],
      ['gif', () => post(gifBytes, { 'content-type': 'image/png' }), 422, 'unsupported-format', /gif/],
      ['text/plain', () => post('x', { 'content-type': 'text/plain' }), 415, 'unsupported-content-type', /text\/plain/],
      ['json', () => post('{}', { 'content-type': 'application/json' }), 415, 'unsupported-content-type', /json/],
      ['no type', () => post(photo), 415, 'unsupported-content-type', /no Content-Type/],
      ['empty', () => post('', { 'content-type': 'image/jpeg' }), 400, 'empty-body', /empty/],
      [
        'too large',
        () => post(Buffer.alloc(65 * 1024, 1), { 'content-type': 'image/jpeg' }),
        413,
        'body-too-large',
        /65536/,
      ],
      ['multipart too large', () => post(form('image', Buffer.alloc(65 * 1024, 1))), 413, 'body-too-large', /65536/],
      ['multipart no file', () => post(form('photo', photo)), 400, 'no-file', /field "image"/],
      ['multipart empty file', () => post(form('image', Buffer.alloc(0))), 400, 'empty-body', /empty/],
      [
        'bad query',
        () => post(photo, { 'content-type': 'image/jpeg' }, '?format=xml'),
        400,
        'invalid-request',
        /format/,
      ],
    ]
    for (const [name, response, status, error, message] of cases) {
      const got = await refusal(await response())
      expect({ name, status: got.status, error: got.error }).toEqual({ name, status, error })
      expect(got.message, name).toMatch(message)
    }
    const metrics = await (await fetch(`${server.url}/metrics`)).text()
    const counted = [...metrics.matchAll(/^wms_predict_errors_total\{[^}]*\} (\d+)$/gm)].reduce(
      (sum, match) => sum + Number(match[1]),
      0,
    )
    expect(counted).toBeGreaterThanOrEqual(cases.length)
    expect(metrics).toMatch(/wms_predict_errors_total\{model_version="folder:model",reason="too_large"\} 2/)
    // Still answering.
    expect((await post(photo, { 'content-type': 'image/jpeg' })).status).toBe(200)
  })
})
