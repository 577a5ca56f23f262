import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { beforeAll, describe, expect, it } from 'vitest'
import type { StagedPair } from '@wms/shared/staging/staging-types'
import { loadPredictor, openWorkspaceTracking, selectBackend, testPhoto, writeWorkspaceConfig } from 'training-runner'
import { risingVersions, seedRegistry } from '../../test-support/seed-registry.js'
import { useTempDirs } from '../../test-support/temp-dirs.js'
import { ModelsService, type StagedPhotos } from './models-service.js'
import type { PhotoInference } from './photo-inference.js'
import { readRegistryOverview, RunFactsCache } from './registry-overview.js'
import { tryOnPhoto } from './try-on-photo.js'

const temp = useTempDirs()

beforeAll(async () => {
  await selectBackend('cpu')
})

async function workspace(tracking = 'file:../mlruns'): Promise<string> {
  const root = path.join(await temp('wms-models-'), 'workspace')
  await mkdir(root, { recursive: true })
  await writeWorkspaceConfig(root, {
    version: 1,
    name: 'models test',
    dataset: { remote: { type: 'local', path: '../dvc-remote' } },
    tracking: { uri: tracking, experiment: 'wms', registeredModel: 'wms-model' },
  })
  return root
}

/** The runner's prediction in this thread (the app runs the same function in its inference worker). */
function inProcessInference(): PhotoInference & { loads: string[] } {
  const loads: string[] = []
  return {
    loads,
    tryOnPhoto: async ({ modelDir, image, mask }) => {
      loads.push(modelDir)
      const predictor = await loadPredictor(modelDir)
      try {
        return { ...(await tryOnPhoto(predictor, image, mask)), seconds: 0 }
      } finally {
        predictor.dispose()
      }
    },
    dispose: () => undefined,
  }
}

/** One staged pair on disk: a photo and a mask that is all counter (white) or all background (black). */
async function stagedPhotos(dir: string, maskValue: 0 | 255) {
  const image = path.join(dir, 'p1.jpg')
  const mask = path.join(dir, 'p1.png')
  await writeFile(image, await testPhoto(48, 32))
  await sharp({
    create: { width: 48, height: 32, channels: 3, background: { r: maskValue, g: maskValue, b: maskValue } },
  })
    .png()
    .toFile(mask)
  const checks: { id: string; revision: number; check: NonNullable<StagedPair['modelCheck']> }[] = []
  const photos: StagedPhotos = {
    qaInputs: () => [
      {
        sampleId: 'p1',
        image: { path: image, relpath: 'images/p1.jpg', root: dir },
        mask: { path: mask, relpath: 'masks/p1.png', root: dir },
      },
    ],
    revisionOf: () => 3,
    recordModelCheck: (id, revision, check) => checks.push({ id, revision, check }),
  }
  return { photos, checks }
}

function service(root: string, options: Partial<ConstructorParameters<typeof ModelsService>[0]> = {}) {
  const inference = inProcessInference()
  const models = new ModelsService({
    workspaceRoot: root,
    cacheDir: path.join(root, '.wms', 'cache', 'models'),
    inference,
    staging: { qaInputs: () => [], revisionOf: () => 0, recordModelCheck: () => undefined },
    env: {},
    now: () => new Date('2026-12-02T10:00:00.000Z'),
    ...options,
  })
  return { models, inference }
}

describe('ModelsService', () => {
  it('shows an empty registry as no versions and no production', async () => {
    const { models } = service(await workspace())
    expect(await models.overview()).toMatchObject({
      modelName: 'wms-model',
      store: { kind: 'filestore' },
      versions: [],
      productionVersion: null,
      productionSince: null,
      history: [],
      problems: [],
    })
  })

  it('lists every version with scores and provenance, production and since when, then rolls back and records it', async () => {
    const root = await workspace()
    await seedRegistry(root, risingVersions(3))
    const { models } = service(root)
    const overview = await models.overview()
    expect(overview.versions.map((version) => version.version)).toEqual(['3', '2', '1'])
    expect(overview.productionVersion).toBe('3')
    expect(overview.productionSince).toBe('2026-01-03T00:00:00.000Z')
    expect(overview.versions[0]).toMatchObject({
      dice: expect.closeTo(0.6 + 0.35 * (2 / 3), 6) as unknown,
      baselineDice: expect.closeTo(0.6 + 0.35 / 3, 6) as unknown,
      gateOutcome: 'improved',
      dataPairs: 32,
      testPairs: 3,
      sourceBranch: 'data/20260103-000000',
      pr: 102,
      promotedAt: '2026-01-03T00:00:00.000Z',
      rolledBackAt: null,
    })
    expect(overview.versions[0]?.dataVersion).toMatch(/^images=.*\.dir,masks=.*\.dir$/)
    expect(overview.history.map((event) => [event.event, event.version, event.current])).toEqual([
      ['promote', 1, false],
      ['promote', 2, false],
      ['promote', 3, true],
    ])

    const rolled = await models.rollback('1', 'v3 misses dark meters')
    expect(rolled).toMatchObject({
      version: '1',
      previousVersion: '3',
      alreadyProduction: false,
      historyAppended: true,
    })
    const after = await models.overview()
    expect(after.productionVersion).toBe('1')
    expect(after.productionSince).toBe(rolled.rolledBackAt)
    expect(after.history.at(-1)).toMatchObject({
      event: 'rollback',
      version: 1,
      previousVersion: 3,
      reason: 'v3 misses dark meters',
      current: true,
    })
    expect(after.versions.find((version) => version.version === '1')).toMatchObject({
      rollbackReason: 'v3 misses dark meters',
    })
    // The runner recorded it where the CLI's `history` and the pipeline's publish step read it.
    const file = await readFile(path.join(root, 'models', 'production-history.jsonl'), 'utf8')
    expect(file.trim().split('\n').at(-1)).toContain('"event":"rollback"')
    await expect(models.rollback('9', undefined)).rejects.toMatchObject({ code: 'tracking/not-found' })
  })

  it('tries a version on a staged photo off the registry, compares with the mask, and notes the check on the pair', async () => {
    const root = await workspace()
    await seedRegistry(root, [
      { dice: 0.7, iou: 0.6, foreground: 'all' },
      { dice: 0.8, iou: 0.7, foreground: 'none' },
    ])
    const { photos, checks } = await stagedPhotos(await temp('wms-photos-'), 255)
    const { models, inference } = service(root, { staging: photos })

    const agrees = await models.tryIt('1', 'p1')
    expect(agrees).toMatchObject({ version: '1', pairId: 'p1', revision: 3, width: 48, height: 32, disagrees: false })
    expect(agrees.dice).toBeCloseTo(1, 6)
    expect(agrees.foreground).toBe(1)
    expect(agrees.predictedOverlay).toMatch(/^data:image\/png;base64,/)
    const overlay = await sharp(Buffer.from(agrees.predictedOverlay.split(',')[1] ?? '', 'base64')).metadata()
    expect([overlay.width, overlay.height]).toEqual([48, 32])

    const disagrees = await models.tryIt('2', 'p1')
    expect(disagrees.dice).toBeLessThan(0.01)
    expect(disagrees.disagrees).toBe(true)
    expect(checks.map((check) => [check.id, check.revision, check.check.version, check.check.disagrees])).toEqual([
      ['p1', 3, '1', false],
      ['p1', 3, '2', true],
    ])

    // Versions are downloaded once and reused.
    await models.tryIt('1', 'p1')
    expect(inference.loads[0]).toBe(inference.loads[2])
    expect(
      (await readdir(path.join(root, '.wms', 'cache', 'models'))).filter((name) => name.startsWith('v')),
    ).toHaveLength(2)
    await expect(models.tryIt('1', 'missing')).rejects.toMatchObject({ code: 'fs/not-found' })
    await expect(models.tryIt('7', 'p1')).rejects.toMatchObject({ code: 'tracking/not-found' })
  })

  it('says the registry is unreachable, with what to check, when nothing at all can be read', async () => {
    const { models } = service(await workspace('http://127.0.0.1:9'), {
      env: { MLFLOW_HTTP_REQUEST_MAX_RETRIES: '0', MLFLOW_HTTP_REQUEST_TIMEOUT: '2' },
    })
    await expect(models.overview()).rejects.toMatchObject({
      code: 'tracking/unavailable',
      message: expect.stringContaining('Cannot read the model registry') as unknown,
    })
  })

  it("reads the registry's versions once per overview, and each finished run once across overviews", async () => {
    const root = await workspace()
    await seedRegistry(root, risingVersions(2))
    const { store, config } = await openWorkspaceTracking(root, { env: {} })
    const calls = { searchModelVersions: 0, getRun: 0 }
    const counting = new Proxy(store, {
      get(target, property, receiver) {
        const value: unknown = Reflect.get(target, property, receiver)
        if (typeof value !== 'function') return value
        return (...args: unknown[]) => {
          if (property === 'searchModelVersions' || property === 'getRun') calls[property] += 1
          return (value as (...a: unknown[]) => unknown).apply(target, args)
        }
      },
    })
    const runs = new RunFactsCache()
    await readRegistryOverview({ store: counting, config, workspaceRoot: root, runs })
    expect(calls).toEqual({ searchModelVersions: 1, getRun: 2 })
    await readRegistryOverview({ store: counting, config, workspaceRoot: root, runs })
    expect(calls).toEqual({ searchModelVersions: 2, getRun: 2 })
  })
})
