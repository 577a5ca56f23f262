import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseProductionHistory } from '@wms/shared/formats/model-metadata'
import { WmsError } from '@wms/shared/errors'
import { collectingSink } from '../events/event-sink.js'
import { jsonFault } from '../../test/helpers/mlflow-test-server.js'
import {
  fakeScores,
  REGISTRY_BACKENDS,
  useRegistryFixtures,
  type RegistryFixture,
} from '../../test/helpers/registry-fixture.js'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { promote } from './promote.js'
import { promotionLockName } from './promotion-lock.js'
import { rollback } from './rollback.js'

const promoteRun = (f: RegistryFixture, runId: string) =>
  promote({ store: f.store, workspaceRoot: f.root, config: f.config, runId })

async function historyLines(f: RegistryFixture): Promise<[string, number, number | null][]> {
  const text = await readFile(path.join(f.root, 'models', 'production-history.jsonl'), 'utf8')
  return parseProductionHistory(text).entries.map((entry) => [entry.event, entry.version, entry.previous_version])
}

async function failure(promise: Promise<unknown>): Promise<WmsError> {
  const thrown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  )
  expect(thrown).toBeInstanceOf(WmsError)
  return thrown as WmsError
}

/** Makes the registry unable to say which version is production, and gives back a function that repairs it. */
async function breakRegistry(f: RegistryFixture): Promise<() => Promise<void>> {
  if (f.server !== undefined) {
    // What a real MLflow server sent: HTTP 500 with a JSON body.
    const fault = jsonFault('GET registered-models/alias', 500, 'INTERNAL_ERROR', 'database is locked')
    f.server.faults.push(fault)
    return () => {
      f.server?.faults.splice(f.server.faults.indexOf(fault), 1)
      return Promise.resolve()
    }
  }
  const meta = path.join(f.dir, 'mlruns', 'models', 'wms-model', 'version-1', 'meta.yaml')
  const good = await readFile(meta, 'utf8')
  await writeFile(meta, 'current_stage: [unclosed\n')
  return () => writeFile(meta, good)
}

describe.each(REGISTRY_BACKENDS)('promotion safety (%s)', (backend) => {
  const fixture = useRegistryFixtures(useTempDirs())

  it('never lets a bootstrap verdict replace a production model the gate did not evaluate', async () => {
    const f = await fixture(backend)
    const production = await f.train(fakeScores(0.861, 0.76))
    await f.gate(production)
    await promoteRun(f, production)

    const worse = await f.train(fakeScores(0.839, 0.72))
    const repair = await breakRegistry(f)
    const bootstrap = await f.gate(worse, { allowBootstrap: true })
    expect(bootstrap.verdict).toMatchObject({ pass: true, outcome: 'bootstrap' })
    await repair()

    const refused = await failure(promoteRun(f, worse))
    expect(refused.code).toBe('promote/production-moved')
    expect(refused.message).toContain('without evaluating a production model, but wms-model v1 is production now')
    expect(refused.hint).toContain(`training-runner gate --run ${worse}`)
    expect((await f.store.getModelVersionByAlias('wms-model', 'production'))?.version).toBe('1')
    expect(await f.store.searchModelVersions('wms-model', { runId: worse })).toEqual([])
  })

  it('lets only one of two promotions started together move production', async () => {
    const f = await fixture(backend)
    const [a, b] = [await f.train(fakeScores(0.6, 0.5)), await f.train(fakeScores(0.7, 0.6))]
    await f.gate(a)
    await f.gate(b)
    // Both passed as first models; whichever promotes second was never compared with the first.
    const outcomes = await Promise.allSettled([promoteRun(f, a), promoteRun(f, b)])
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected'])
    const rejected = outcomes.find((outcome) => outcome.status === 'rejected')
    expect((rejected?.reason as WmsError).code).toBe('promote/production-moved')
    expect(await f.store.searchModelVersions('wms-model')).toHaveLength(1)
    expect(await historyLines(f)).toEqual([['promote', 1, null]])

    // The same run twice at once: one version, one history line.
    const c = await f.train(fakeScores(0.8, 0.7))
    await f.gate(c)
    const twice = await Promise.all([promoteRun(f, c), promoteRun(f, c)])
    expect(twice.map((result) => result.version)).toEqual(['2', '2'])
    expect(await f.store.searchModelVersions('wms-model', { runId: c })).toHaveLength(1)
    expect(await historyLines(f)).toEqual([
      ['promote', 1, null],
      ['promote', 2, 1],
    ])
  })

  it('needs a fresh gate to promote a rolled-back version again, and records the move', async () => {
    const f = await fixture(backend)
    const first = await f.train(fakeScores(0.6, 0.5))
    await f.gate(first)
    await promoteRun(f, first)
    const second = await f.train(fakeScores(0.7, 0.6))
    await f.gate(second)
    await promoteRun(f, second)
    await rollback({ store: f.store, workspaceRoot: f.root, config: f.config, version: '1', reason: 'bad on site' })

    // The old verdict compared v2 with v1 before the rollback: production moved since, even though it is v1 again.
    const stale = await failure(promoteRun(f, second))
    expect(stale.code).toBe('promote/production-moved')
    expect(stale.message).toMatch(/v1 became production again at .*, after the gate compared with it/)
    expect((await f.store.getModelVersionByAlias('wms-model', 'production'))?.version).toBe('1')

    const regated = await f.gate(second)
    expect(regated.verdict).toMatchObject({ pass: true, production: { version: '1' } })
    const again = await promoteRun(f, second)
    expect(again).toMatchObject({ version: '2', previousVersion: '1', createdVersion: false, historyAppended: true })
    expect(await historyLines(f)).toEqual([
      ['promote', 1, null],
      ['promote', 2, 1],
      ['rollback', 1, 2],
      ['promote', 2, 1],
    ])
  })

  it('waits for a promotion in progress, removes a lock its holder left behind, and says whose lock blocks', async () => {
    const f = await fixture(backend)
    const run = await f.train(fakeScores(0.6, 0.5))
    await f.gate(run)
    const name = promotionLockName('wms-model')
    // A lock left by a process on another machine, long ago: stale, removed with a warning.
    const old = { host: 'ci-runner-7', pid: 4242, purpose: 'promote run x', since: Date.now() - 3_600_000 }
    const held = await f.store.tryLock(name, old)
    expect('acquired' in held).toBe(true)
    const events = collectingSink()
    await promote({ store: f.store, workspaceRoot: f.root, config: f.config, runId: run, events })
    const warnings = events.events.flatMap((event) => (event.type === 'log' && event.level === 'warn' ? [event] : []))
    expect(warnings.map((event) => event.message).join('\n')).toContain('Removing a stale promotion lock')
    expect('acquired' in (await f.store.tryLock(name, old))).toBe(true)

    // A live holder: the promotion waits, then gives up naming the holder and the lock.
    await f.store.breakLock(name)
    const live = { host: 'ci-runner-8', pid: 99, purpose: 'promote run y', since: Date.now() }
    await f.store.tryLock(name, live)
    const next = await f.train(fakeScores(0.7, 0.6))
    await f.gate(next)
    const blocked = await failure(
      promote({ store: f.store, workspaceRoot: f.root, config: f.config, runId: next, lock: { waitMs: 300 } }),
    )
    expect(blocked.code).toBe('promote/locked')
    expect(blocked.message).toContain('promote run y on ci-runner-8, pid 99')
    expect(blocked.hint).toContain(name)
    await f.store.breakLock(name)
  })
})
