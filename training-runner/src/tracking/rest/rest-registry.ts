import { z } from 'zod'
import { WmsError } from '@wms/shared/errors'
import type { ModelStage, ModelVersion, RegisteredModel } from '@wms/shared/tracking/types'
import { parseLockHolder, type LockAttempt, type LockHolder } from '../store-lock.js'
import type { CreateModelVersionOptions } from '../tracking-store.js'
import type { MlflowHttp } from './mlflow-http.js'
import { decode, toModelVersion, toRegisteredModel, toTagList } from './wire.js'

const API = '/api/2.0/mlflow'

/** The model registry half of {@link MlflowRestStore}: registered models, versions, aliases, tags, legacy stages. */
export class MlflowRestRegistry {
  constructor(protected readonly http: MlflowHttp) {}

  async getRegisteredModel(name: string): Promise<RegisteredModel | undefined> {
    const json = await orUndefined(
      this.http.json<{ registered_model?: unknown }>({
        method: 'GET',
        path: `${API}/registered-models/get`,
        query: { name },
        idempotent: true,
      }),
    )
    return json === undefined ? undefined : toRegisteredModel(json.registered_model)
  }

  async createRegisteredModel(
    name: string,
    options: { description?: string; tags?: Record<string, string> } = {},
  ): Promise<RegisteredModel> {
    const json = await this.http.json<{ registered_model?: unknown }>({
      method: 'POST',
      path: `${API}/registered-models/create`,
      json: {
        name,
        ...(options.description === undefined ? {} : { description: options.description }),
        tags: toTagList(options.tags),
      },
      idempotent: false,
    })
    return toRegisteredModel(json.registered_model)
  }

  async deleteRegisteredModel(name: string): Promise<void> {
    await this.http.json({
      method: 'DELETE',
      path: `${API}/registered-models/delete`,
      json: { name },
      idempotent: true,
    })
  }

  async createModelVersion(options: CreateModelVersionOptions): Promise<ModelVersion> {
    const json = await this.http.json<{ model_version?: unknown }>({
      method: 'POST',
      path: `${API}/model-versions/create`,
      json: {
        name: options.name,
        source: options.source,
        ...(options.runId === undefined ? {} : { run_id: options.runId }),
        ...(options.description === undefined ? {} : { description: options.description }),
        tags: toTagList(options.tags),
      },
      idempotent: false,
    })
    return toModelVersion(json.model_version)
  }

  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    const json = await this.http.json<{ model_version?: unknown }>({
      method: 'GET',
      path: `${API}/model-versions/get`,
      query: { name, version },
      idempotent: true,
    })
    return toModelVersion(json.model_version)
  }

  async searchModelVersions(name: string, filter: { runId?: string } = {}): Promise<ModelVersion[]> {
    const clauses = [`name=${quote(name)}`, ...(filter.runId === undefined ? [] : [`run_id=${quote(filter.runId)}`])]
    const versions: ModelVersion[] = []
    let pageToken: string | undefined
    do {
      const json = await this.http.json<{ model_versions?: unknown[]; next_page_token?: string }>({
        method: 'GET',
        path: `${API}/model-versions/search`,
        query: {
          filter: clauses.join(' and '),
          max_results: '200',
          order_by: 'version_number DESC',
          page_token: pageToken,
        },
        idempotent: true,
      })
      versions.push(...(json.model_versions ?? []).map(toModelVersion))
      pageToken = json.next_page_token === '' ? undefined : json.next_page_token
    } while (pageToken !== undefined)
    return versions.sort((a, b) => Number(b.version) - Number(a.version))
  }

  async setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
    await this.http.json({
      method: 'POST',
      path: `${API}/model-versions/set-tag`,
      json: { name, version, key, value },
      idempotent: true,
    })
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion | undefined> {
    try {
      const json = await this.http.json<{ model_version?: unknown }>({
        method: 'GET',
        path: `${API}/registered-models/alias`,
        query: { name, alias },
        idempotent: true,
      })
      return toModelVersion(json.model_version)
    } catch (thrown) {
      // A missing alias is a 400 INVALID_PARAMETER_VALUE "Registered model alias X not found." (not a 404).
      if (
        thrown instanceof WmsError &&
        thrown.code === 'tracking/invalid' &&
        /alias .* not found/i.test(thrown.message)
      ) {
        return undefined
      }
      throw thrown
    }
  }

  async setRegisteredModelAlias(name: string, alias: string, version: string): Promise<void> {
    await this.http.json({
      method: 'POST',
      path: `${API}/registered-models/alias`,
      json: { name, alias, version },
      idempotent: true,
    })
  }

  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    await this.http.json({
      method: 'DELETE',
      path: `${API}/registered-models/alias`,
      json: { name, alias },
      idempotent: true,
    })
  }

  async getLatestVersions(name: string, stages?: ModelStage[]): Promise<ModelVersion[]> {
    const json = await this.http.json<{ model_versions?: unknown[] }>({
      method: 'POST',
      path: `${API}/registered-models/get-latest-versions`,
      json: { name, ...(stages === undefined ? {} : { stages }) },
      idempotent: true,
    })
    return (json.model_versions ?? []).map(toModelVersion)
  }

  async transitionModelVersionStage(
    name: string,
    version: string,
    stage: ModelStage,
    archiveExistingVersions: boolean,
  ): Promise<ModelVersion> {
    const json = await this.http.json<{ model_version?: unknown }>({
      method: 'POST',
      path: `${API}/model-versions/transition-stage`,
      json: { name, version, stage, archive_existing_versions: archiveExistingVersions },
      idempotent: true,
    })
    return toModelVersion(json.model_version)
  }

  async getModelVersionDownloadUri(name: string, version: string): Promise<string> {
    const json = await this.http.json<{ artifact_uri?: unknown }>({
      method: 'GET',
      path: `${API}/model-versions/get-download-uri`,
      query: { name, version },
      idempotent: true,
    })
    return decode(z.string(), json.artifact_uri, 'model-versions/get-download-uri')
  }
}

const LOCK_TAG = 'wms.lock.holder'

/**
 * A lock on an MLflow server, which has none of its own: a registered model named after the lock, created
 * atomically (registered model names are unique). It shows in the registry while held, described as such.
 */
export async function tryServerLock(
  registry: MlflowRestRegistry,
  name: string,
  holder: LockHolder,
): Promise<LockAttempt> {
  try {
    await registry.createRegisteredModel(name, {
      description: `Lock held by WMS Studio (${holder.purpose}, ${holder.host} pid ${String(holder.pid)}). It is removed when that finishes; if nothing is running, delete this model.`,
      tags: { [LOCK_TAG]: JSON.stringify(holder) },
    })
  } catch (thrown) {
    if (!(thrown instanceof WmsError && thrown.code === 'tracking/already-exists')) throw thrown
    const existing = await registry.getRegisteredModel(name)
    if (existing === undefined) return tryServerLock(registry, name, holder)
    return { heldBy: parseLockHolder(existing.tags[LOCK_TAG], existing.creationTimestamp) }
  }
  return {
    acquired: {
      release: async () => {
        await orUndefined(registry.deleteRegisteredModel(name))
      },
    },
  }
}

/** The value, or undefined when the call failed with `tracking/not-found`. */
export async function orUndefined<T>(promise: Promise<T>): Promise<T | undefined> {
  try {
    return await promise
  } catch (thrown) {
    if (thrown instanceof WmsError && thrown.code === 'tracking/not-found') return undefined
    throw thrown
  }
}

function quote(value: string): string {
  return value.includes("'") ? `"${value.replace(/"/g, '\\"')}"` : `'${value}'`
}
