import { mkdir, readdir } from 'node:fs/promises'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { openWorkspaceTracking } from '../registry/open-workspace-tracking.js'
import { ensureRegisteredModel, pointProductionAt } from '../registry/production-pointer.js'
import { startRun } from '../tracking/run-logger.js'
import type { TrackingStore } from '../tracking/tracking-store.js'
import { selectBackend } from '../train/backend/select-backend.js'
import { writeWorkspaceConfig } from '../workspace/workspace-config-file.js'
import { testPhoto, writeTinyModel } from './fixtures/tiny-model.js'
import { registrySource } from './model-source.js'
import { startModelServer, type ModelServer } from './server.js'

/**
 * The registry's production alias moves while clients keep predicting: the server picks the new version up by
 * itself, no request fails or gets a half-swapped model, the old model's tensors and files go once its requests
 * are done, and a broken promotion keeps the good model serving.
 */

const temp = useTempDirs()
const MODEL = 'wms-model'
let closeServer: (() => Promise<void>) | undefined

beforeAll(async () => {
  await selectBackend('cpu')
})
afterEach(async () => {
  await closeServer?.()
  closeServer = undefined
})

async function registerVersion(store: TrackingStore, dir: string, model?: 'all' | 'none'): Promise<string> {
  const logger = await startRun(store, { experiment: 'wms', runName: 'serve-test' })
  // A run without model files makes a version that cannot be served (a broken promotion).
  if (model !== undefined)
    await logger.logModel(await writeTinyModel(path.join(dir, `model-${model}`), { foreground: model }))
  await logger.finish()
  await ensureRegisteredModel(store, MODEL)
  const version = await store.createModelVersion({
    name: MODEL,
    source: `runs:/${logger.runId}/model`,
    runId: logger.runId,
  })
  return version.version
}

async function until(condition: () => boolean | Promise<boolean>, what: string, seconds = 20): Promise<void> {
  const deadline = Date.now() + seconds * 1000
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

interface Answer {
  status: number
  version: string | null
  foreground: number
}

/** Clients predicting in a loop until told to stop; every answer is kept in order, per client. */
function keepPredicting(server: ModelServer, photo: Buffer, clients: number) {
  let stop = false
  const answers: Answer[][] = Array.from({ length: clients }, () => [])
  const loops = answers.map(async (mine) => {
    while (!stop) {
      const response = await fetch(`${server.url}/predict`, {
        method: 'POST',
        body: photo,
        headers: { 'content-type': 'image/jpeg' },
      })
      await response.arrayBuffer()
      mine.push({
        status: response.status,
        version: response.headers.get('x-model-version'),
        foreground: Number(response.headers.get('x-foreground-share')),
      })
    }
  })
  return {
    answers,
    stop: async () => {
      stop = true
      await Promise.all(loops)
    },
  }
}

describe('serve: live promotion', () => {
  it('waits for a first production model, then follows promotions with no failed request', async () => {
    const dir = await temp('wms-serve-promote-')
    const root = path.join(dir, 'workspace')
    const downloads = path.join(dir, 'downloads')
    await mkdir(root)
    await mkdir(downloads)
    await writeWorkspaceConfig(root, {
      version: 1,
      name: 'serve-test',
      dataset: { remote: { type: 'local', path: '../remote' } },
      tracking: { uri: 'file:../mlruns', experiment: 'wms', registeredModel: MODEL },
    })
    const { store } = await openWorkspaceTracking(root, { env: {} })
    const tensorsBefore = tf.memory().numTensors

    const source = await registrySource({ workspaceRoot: root, env: {}, cwd: root, downloadRoot: downloads })
    const server = await startModelServer({ source, port: 0, pollSeconds: 0.1 })
    closeServer = () => server.close()
    expect(await server.firstLoad).toMatchObject({ kind: 'kept' })
    const notReady = await fetch(`${server.url}/ready`)
    expect(notReady.status).toBe(503)
    expect(((await notReady.json()) as { message: string }).message).toMatch(/no production model yet/i)
    const early = await fetch(`${server.url}/predict`, {
      method: 'POST',
      body: await testPhoto(40, 40),
      headers: { 'content-type': 'image/jpeg' },
    })
    expect([early.status, early.headers.get('retry-after')]).toEqual([503, '1'])

    await pointProductionAt(store, MODEL, await registerVersion(store, dir, 'none'), false)
    await until(async () => (await fetch(`${server.url}/ready`)).status === 200, 'version 1')
    const tensorsOfOneModel = tf.memory().numTensors - tensorsBefore

    const clients = keepPredicting(server, await testPhoto(64, 48), 3)
    await until(() => clients.answers.every((mine) => mine.length >= 2), 'answers from version 1')
    await pointProductionAt(store, MODEL, await registerVersion(store, dir, 'all'), false)
    await until(() => clients.answers.every((mine) => mine.filter((a) => a.version === '2').length >= 3), 'version 2')
    await clients.stop()

    const all = clients.answers.flat()
    expect(all.filter((answer) => answer.status !== 200)).toEqual([])
    // Each answer is wholly one model's: v1 predicts no counter, v2 all counter.
    expect(all.filter((a) => (a.version === '1' ? a.foreground !== 0 : a.foreground !== 1))).toEqual([])
    for (const mine of clients.answers) {
      const versions = mine.map((answer) => answer.version)
      expect(versions.slice(versions.indexOf('2'))).not.toContain('1')
    }
    // The old model was disposed once its requests finished, and its downloaded files removed.
    expect(server.slot.retiringCount).toBe(0)
    expect(tf.memory().numTensors - tensorsBefore).toBe(tensorsOfOneModel)
    await until(async () => (await readdir(downloads)).length === 1, 'v1 files removed')
    expect(await readdir(downloads)).toEqual([expect.stringMatching(/^wms-serve-v2-/)])
    const metrics = await (await fetch(`${server.url}/metrics`)).text()
    expect(metrics).toMatch(/^wms_model_loaded\{model_version="2"\} 1$/m)
    expect(metrics).not.toMatch(/wms_model_loaded\{model_version="1"\}/)
    expect(metrics).toMatch(/^wms_predictions_total\{model_version="1"\} [1-9]/m)

    // A promotion whose files cannot be loaded: the good model keeps answering, and `/` says why.
    await pointProductionAt(store, MODEL, await registerVersion(store, dir), false)
    await until(() => server.updater.problem !== null, 'the broken version to be tried')
    const info = (await (await fetch(`${server.url}/`)).json()) as { model: { version: string }; problem: string }
    expect(info.model.version).toBe('2')
    expect(info.problem).toMatch(/Cannot load model 3/)
    const still = await fetch(`${server.url}/predict`, {
      method: 'POST',
      body: await testPhoto(40, 40),
      headers: { 'content-type': 'image/jpeg' },
    })
    expect([still.status, still.headers.get('x-model-version')]).toEqual([200, '2'])
    expect((await fetch(`${server.url}/ready`)).status).toBe(200)
    await server.close()
    expect(tf.memory().numTensors).toBe(tensorsBefore)
  }, 60_000)
})
