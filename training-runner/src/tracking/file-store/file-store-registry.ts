import { randomBytes } from 'node:crypto'
import { mkdir, readdir, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import { aliasProblem, modelNameProblem } from '@wms/shared/tracking/keys'
import {
  modelVersionFromMeta,
  modelVersionMetaDoc,
  registeredModelFromMeta,
  registeredModelMetaDoc,
} from '@wms/shared/tracking/meta-yaml'
import { MODEL_STAGES, type ModelStage, type ModelVersion, type RegisteredModel } from '@wms/shared/tracking/types'
import type { CreateModelVersionOptions } from '../tracking-store.js'
import {
  isMissing,
  keyPath,
  listDirs,
  readKeyValueDir,
  readMeta,
  readText,
  writeFileAtomic,
  writeMeta,
} from './fs-util.js'

/** Version folders read at once by a search. */
const SEARCH_LANES = 8

/** `read` over `items`, `lanes` at a time, results in order. */
async function inLanes<T, R>(items: readonly T[], lanes: number, read: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const lane = async (): Promise<void> => {
    for (let index = next++; index < items.length; index = next++) results[index] = await read(items[index] as T)
  }
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane))
  return results
}

interface StoredVersion {
  version: ModelVersion
  deleted: boolean
  storageLocation?: string
}

/**
 * The FileStore's model registry (`<root>/models/<name>/…`): registered models, `version-<N>/` folders, tags, and
 * `aliases/<alias>` files holding the version number (the files are what MLflow reads; the `aliases` keys it
 * also writes into meta.yaml are kept in step for fidelity but never trusted).
 */
export class FileStoreRegistry {
  constructor(
    protected readonly root: string,
    protected readonly now: () => number,
  ) {}

  private modelDir(name: string): string {
    const problem = modelNameProblem(name)
    if (problem !== undefined)
      throw new WmsError('tracking/invalid', `Invalid registered model name '${name}': ${problem}.`)
    return path.join(this.root, 'models', name)
  }

  async getRegisteredModel(name: string): Promise<RegisteredModel | undefined> {
    const dir = this.modelDir(name)
    const doc = await readMeta(path.join(dir, 'meta.yaml'))
    if (doc === undefined) return undefined
    return {
      ...registeredModelFromMeta(doc),
      tags: await readKeyValueDir(path.join(dir, 'tags')),
      aliases: await this.readAliases(dir),
    }
  }

  /**
   * Creates a registered model atomically, like a database-backed registry (names are unique): the folder is
   * assembled aside and renamed into place, and a rename onto an existing model folder fails. A folder without
   * meta.yaml (a crash half-way) does not count as a model and is replaced.
   */
  async createRegisteredModel(
    name: string,
    options: { description?: string; tags?: Record<string, string> } = {},
  ): Promise<RegisteredModel> {
    const dir = this.modelDir(name)
    const now = this.now()
    const model: RegisteredModel = { name, creationTimestamp: now, lastUpdatedTimestamp: now, tags: {}, aliases: {} }
    if (options.description !== undefined) model.description = options.description
    const staging = path.join(this.root, '.wms', 'tmp', `model-${randomBytes(6).toString('hex')}`)
    try {
      await writeMeta(path.join(staging, 'meta.yaml'), registeredModelMetaDoc(model))
      for (const [key, value] of Object.entries(options.tags ?? {})) {
        await writeFileAtomic(keyPath(path.join(staging, 'tags'), key), value)
        model.tags[key] = value
      }
      await mkdir(path.dirname(dir), { recursive: true })
      for (let attempt = 0; ; attempt += 1) {
        try {
          await rename(staging, dir)
          return model
        } catch (thrown) {
          const code = (thrown as NodeJS.ErrnoException).code
          if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw thrown
          if (attempt > 0 || (await readMeta(path.join(dir, 'meta.yaml'))) !== undefined) {
            throw new WmsError('tracking/already-exists', `Registered Model (name=${name}) already exists.`)
          }
          await rm(dir, { recursive: true, force: true })
        }
      }
    } finally {
      await rm(staging, { recursive: true, force: true })
    }
  }

  /** Deletes a registered model and its versions (MLflow `rmtree`s the folder); not-found when there is none. */
  async deleteRegisteredModel(name: string): Promise<void> {
    const dir = await this.existingModelDir(name)
    await rm(dir, { recursive: true, force: true })
  }

  async createModelVersion(options: CreateModelVersionOptions): Promise<ModelVersion> {
    const dir = await this.existingModelDir(options.name)
    const now = this.now()
    // Claim the next number with an exclusive mkdir, so two writers never share a version.
    let number = Math.max(0, ...(await this.versionNumbers(dir))) + 1
    for (;;) {
      try {
        await mkdir(path.join(dir, `version-${String(number)}`))
        break
      } catch (thrown) {
        if ((thrown as NodeJS.ErrnoException).code !== 'EEXIST') throw thrown
        number += 1
      }
    }
    const version: ModelVersion = {
      name: options.name,
      version: String(number),
      creationTimestamp: now,
      lastUpdatedTimestamp: now,
      currentStage: 'None',
      source: options.source,
      status: 'READY',
      tags: {},
      aliases: [],
    }
    if (options.runId !== undefined) version.runId = options.runId
    if (options.description !== undefined) version.description = options.description
    const versionDir = path.join(dir, `version-${String(number)}`)
    for (const [key, value] of Object.entries(options.tags ?? {})) {
      await writeFileAtomic(keyPath(path.join(versionDir, 'tags'), key), value)
      version.tags[key] = value
    }
    // meta.yaml last: a version folder without it (a crash in between) is invisible, as in MLflow.
    await writeMeta(path.join(versionDir, 'meta.yaml'), modelVersionMetaDoc(version))
    await this.touchModel(dir, now)
    return version
  }

  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    const dir = await this.existingModelDir(name)
    const stored = await this.readVersion(dir, version)
    if (stored === undefined || stored.deleted) {
      throw new WmsError('tracking/not-found', `Model Version (name=${name}, version=${version}) not found`)
    }
    return stored.version
  }

  async searchModelVersions(name: string, filter: { runId?: string } = {}): Promise<ModelVersion[]> {
    const dir = this.modelDir(name)
    const numbers = (await this.versionNumbers(dir)).sort((a, b) => b - a)
    // The alias files once for all versions, and a few version folders at a time: a registry of 200 versions is
    // some 4,000 small reads, which one after the other took a second on a busy machine.
    const aliases = await this.readAliases(dir)
    const stored = await inLanes(numbers, SEARCH_LANES, (number) => this.readVersion(dir, String(number), aliases))
    return stored
      .filter((found): found is StoredVersion => found !== undefined && !found.deleted)
      .map((found) => found.version)
      .filter((version) => filter.runId === undefined || version.runId === filter.runId)
  }

  async setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
    const dir = await this.existingModelDir(name)
    await this.getModelVersion(name, version)
    await writeFileAtomic(keyPath(path.join(dir, `version-${version}`, 'tags'), key), value)
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion | undefined> {
    const dir = await this.existingModelDir(name)
    const text = await readText(path.join(dir, 'aliases', alias))
    if (text === undefined) return undefined
    return this.getModelVersion(name, text.trim())
  }

  async setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    const problem = aliasProblem(alias)
    if (problem !== undefined) throw new WmsError('tracking/invalid', problem)
    const dir = await this.existingModelDir(name)
    await this.getModelVersion(name, version)
    const previous = (await readText(path.join(dir, 'aliases', alias)))?.trim()
    await writeFileAtomic(path.join(dir, 'aliases', alias), version)
    await this.syncAliasesIntoMeta(dir, [version, ...(previous === undefined ? [] : [previous])])
  }

  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    const dir = await this.existingModelDir(name)
    const previous = (await readText(path.join(dir, 'aliases', alias)))?.trim()
    await rm(path.join(dir, 'aliases', alias), { force: true })
    if (previous !== undefined) await this.syncAliasesIntoMeta(dir, [previous])
  }

  async getLatestVersions(name: string, stages?: ModelStage[]): Promise<ModelVersion[]> {
    const dir = await this.existingModelDir(name)
    const wanted = (stages ?? MODEL_STAGES).map((stage) => stage.toLowerCase())
    const latest = new Map<string, ModelVersion>()
    for (const number of (await this.versionNumbers(dir)).sort((a, b) => a - b)) {
      const stored = await this.readVersion(dir, String(number))
      if (stored === undefined || stored.deleted) continue
      if (wanted.includes(stored.version.currentStage.toLowerCase()))
        latest.set(stored.version.currentStage, stored.version)
    }
    return [...latest.values()]
  }

  async transitionModelVersionStage(
    name: string,
    version: string,
    stage: ModelStage,
    archiveExistingVersions: boolean,
  ): Promise<ModelVersion> {
    const dir = await this.existingModelDir(name)
    const target = await this.readVersion(dir, version)
    if (target === undefined || target.deleted) {
      throw new WmsError('tracking/not-found', `Model Version (name=${name}, version=${version}) not found`)
    }
    const now = this.now()
    if (archiveExistingVersions && (stage === 'Production' || stage === 'Staging')) {
      for (const number of await this.versionNumbers(dir)) {
        if (String(number) === version) continue
        const other = await this.readVersion(dir, String(number))
        if (other === undefined || other.deleted || other.version.currentStage !== stage) continue
        await this.writeVersion(dir, { ...other.version, currentStage: 'Archived', lastUpdatedTimestamp: now })
      }
    }
    const updated = { ...target.version, currentStage: stage, lastUpdatedTimestamp: now }
    await this.writeVersion(dir, updated)
    return updated
  }

  async getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    const dir = await this.existingModelDir(name)
    const stored = await this.readVersion(dir, version)
    if (stored === undefined || stored.deleted) {
      throw new WmsError('tracking/not-found', `Model Version (name=${name}, version=${version}) not found`)
    }
    return stored.storageLocation ?? stored.version.source
  }

  // ── helpers ──────────────────────────────────────────────────────────────────────────────────────────────────

  private async existingModelDir(name: string): Promise<string> {
    const dir = this.modelDir(name)
    if ((await readMeta(path.join(dir, 'meta.yaml'))) === undefined) {
      throw new WmsError('tracking/not-found', `Registered Model with name=${name} not found`)
    }
    return dir
  }

  private async versionNumbers(dir: string): Promise<number[]> {
    return (await listDirs(dir))
      .map((entry) => /^version-(\d+)$/.exec(entry)?.[1])
      .filter((value) => value !== undefined)
      .map(Number)
  }

  /** One version folder; `knownAliases` saves reading the alias files again when many versions are read. */
  private async readVersion(
    dir: string,
    version: string,
    knownAliases?: Record<string, string>,
  ): Promise<StoredVersion | undefined> {
    if (!/^\d+$/.test(version)) return undefined
    const versionDir = path.join(dir, `version-${version}`)
    const doc = await readMeta(path.join(versionDir, 'meta.yaml'))
    if (doc === undefined) return undefined
    const { deleted, storageLocation, ...meta } = modelVersionFromMeta(doc)
    const aliases = Object.entries(knownAliases ?? (await this.readAliases(dir)))
      .filter(([, target]) => target === version)
      .map(([alias]) => alias)
      .sort()
    const stored: StoredVersion = {
      version: { ...meta, tags: await readKeyValueDir(path.join(versionDir, 'tags')), aliases },
      deleted,
    }
    if (storageLocation !== undefined) stored.storageLocation = storageLocation
    return stored
  }

  private async writeVersion(dir: string, version: ModelVersion): Promise<void> {
    await writeMeta(path.join(dir, `version-${version.version}`, 'meta.yaml'), modelVersionMetaDoc(version))
  }

  private async readAliases(dir: string): Promise<Record<string, string>> {
    const aliases: Record<string, string> = {}
    let names: string[]
    try {
      names = (await readdir(path.join(dir, 'aliases'), { withFileTypes: true }))
        .filter((entry) => entry.isFile() && !entry.name.includes('.tmp-'))
        .map((entry) => entry.name)
    } catch (thrown) {
      if (isMissing(thrown)) return aliases
      throw thrown
    }
    for (const name of names.sort()) {
      const text = await readText(path.join(dir, 'aliases', name))
      if (text !== undefined) aliases[name] = text.trim()
    }
    return aliases
  }

  // MLflow also writes the alias map into the model's meta.yaml and each version's alias list; keep them in step.
  private async syncAliasesIntoMeta(dir: string, versions: string[]): Promise<void> {
    const doc = await readMeta(path.join(dir, 'meta.yaml'))
    if (doc === undefined) return
    const aliases = await this.readAliases(dir)
    const model = { ...registeredModelFromMeta(doc), aliases }
    await writeMeta(path.join(dir, 'meta.yaml'), registeredModelMetaDoc({ ...model, lastUpdatedTimestamp: this.now() }))
    for (const version of new Set(versions)) {
      const stored = await this.readVersion(dir, version)
      if (stored !== undefined) await this.writeVersion(dir, stored.version)
    }
  }

  private async touchModel(dir: string, now: number): Promise<void> {
    const doc = await readMeta(path.join(dir, 'meta.yaml'))
    if (doc === undefined) return
    const model = { ...registeredModelFromMeta(doc), aliases: await this.readAliases(dir) }
    await writeMeta(path.join(dir, 'meta.yaml'), registeredModelMetaDoc({ ...model, lastUpdatedTimestamp: now }))
  }
}
