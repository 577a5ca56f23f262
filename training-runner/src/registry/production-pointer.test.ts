import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseProductionHistory } from '@wms/shared/formats/model-metadata'
import type { TrackingStore } from '../tracking/tracking-store.js'
import {
  fakeScores,
  REGISTRY_BACKENDS,
  useRegistryFixtures,
  type RegistryFixture,
} from '../../test/helpers/registry-fixture.js'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { promote } from './promote.js'
import { rollback } from './rollback.js'

/** Which version the alias names, and which versions the legacy stage calls Production. */
async function pointers(store: TrackingStore): Promise<{ alias: string | undefined; stage: string[] }> {
  const alias = (await store.getModelVersionByAlias('wms-model', 'production'))?.version
  const versions = await store.searchModelVersions('wms-model')
  const stage = versions.filter((version) => version.currentStage === 'Production').map((version) => version.version)
  return { alias, stage }
}

async function historyStages(f: RegistryFixture): Promise<(string | undefined)[]> {
  const text = await readFile(path.join(f.root, 'models', 'production-history.jsonl'), 'utf8')
  return parseProductionHistory(text).entries.map((entry) => entry.stage)
}

describe.each(REGISTRY_BACKENDS)('the Production stage follows the alias (%s)', (backend) => {
  const fixture = useRegistryFixtures(useTempDirs())

  it('keeps the stage in step with the alias after every promotion and rollback once the model uses stages', async () => {
    const f = await fixture(backend)
    const promoteRun = async (dice: number, alsoSetStage = false) => {
      const run = await f.train(fakeScores(dice, dice - 0.1))
      await f.gate(run)
      return promote({ store: f.store, workspaceRoot: f.root, config: f.config, runId: run, alsoSetStage })
    }
    expect(await promoteRun(0.6, true)).toMatchObject({ version: '1', stageMoved: true })
    expect(await pointers(f.store)).toEqual({ alias: '1', stage: ['1'] })

    // No flag: the model uses stages, so the stage moves with the alias.
    expect(await promoteRun(0.7)).toMatchObject({ version: '2', stageMoved: true })
    expect(await pointers(f.store)).toEqual({ alias: '2', stage: ['2'] })
    expect((await f.store.getLatestVersions('wms-model', ['Production'])).map((v) => v.version)).toEqual(['2'])
    expect((await f.store.getModelVersion('wms-model', '1')).currentStage).toBe('Archived')

    await rollback({ store: f.store, workspaceRoot: f.root, config: f.config, version: '1' })
    expect(await pointers(f.store)).toEqual({ alias: '1', stage: ['1'] })
    expect((await f.store.getLatestVersions('wms-model', ['Production'])).map((v) => v.version)).toEqual(['1'])

    expect(await historyStages(f)).toEqual(['Production', 'Production', 'Production'])
  })

  it('leaves stages alone, and says so in the history, when the model never used them', async () => {
    const f = await fixture(backend)
    const run = await f.train(fakeScores(0.6, 0.5))
    await f.gate(run)
    const result = await promote({ store: f.store, workspaceRoot: f.root, config: f.config, runId: run })
    expect(result).toMatchObject({ pointer: 'alias', stageMoved: false })
    expect(await pointers(f.store)).toEqual({ alias: '1', stage: [] })
    expect(await historyStages(f)).toEqual([undefined])
  })
})
