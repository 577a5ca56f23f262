import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import { isLargeDisagreement, type ModelRegistryOverview, type TryItResult } from '@wms/shared/models/model-registry'
import type { StagedPair } from '@wms/shared/staging/staging-types'
import { rollback, type RollbackResult } from 'training-runner'
import type { Disposable } from '../disposables.js'
import type { MlflowAccount } from '../pipeline/status-source.js'
import { openAppTracking } from '../settings/mlflow-target.js'
import type { QaPairInput } from '../staging/qa-checker.js'
import { ModelFilesCache } from './model-files-cache.js'
import type { PhotoInference } from './photo-inference.js'
import { readRegistryOverview, RunFactsCache } from './registry-overview.js'

/** What "try it" needs of the staging area: a staged pair's files and revision, and where to note the result. */
export interface StagedPhotos {
  qaInputs(): QaPairInput[]
  revisionOf(id: string): number
  recordModelCheck(id: string, revision: number, check: NonNullable<StagedPair['modelCheck']>): void
}

/** Options of {@link ModelsService}. */
export interface ModelsServiceOptions {
  workspaceRoot: string
  /** `.wms/cache/models`: downloaded versions' files. */
  cacheDir: string
  inference: PhotoInference
  staging: StagedPhotos
  /** MLflow's variables (`MLFLOW_TRACKING_URI` wins over the config, as in the CLI). */
  env: NodeJS.ProcessEnv
  /**
   * The stored MLflow account (Settings): its server (else the workspace's tracking URI) and login, read at each
   * request so a change takes effect at once; without it, or when it has no login, the store uses what the
   * environment gives (`MLFLOW_TRACKING_TOKEN`…).
   */
  mlflow?: () => Promise<MlflowAccount | undefined>
  now?: () => Date
}

/**
 * The Models area's service: the registry's history (the runner's `readHistory` and the registry's versions),
 * rollback (the runner's `rollback`: under the promotion lock, recorded as tags, in model-metadata.json and the
 * history file), and "try it" — a version run on a staged photo in the inference worker, compared with the
 * annotator's mask. The tracking store is opened per request, so a changed config or account is used at once.
 */
export class ModelsService implements Disposable {
  private readonly runs = new RunFactsCache()
  private readonly files: ModelFilesCache

  constructor(private readonly options: ModelsServiceOptions) {
    this.files = new ModelFilesCache(options.cacheDir)
  }

  async overview(): Promise<ModelRegistryOverview> {
    const { store, config } = await this.tracking()
    return readRegistryOverview({ store, config, workspaceRoot: this.options.workspaceRoot, runs: this.runs })
  }

  async rollback(version: string, reason: string | undefined): Promise<Omit<RollbackResult, 'modelName'>> {
    const { store, config } = await this.tracking()
    const result = await rollback({
      store,
      config,
      workspaceRoot: this.options.workspaceRoot,
      version,
      ...(reason === undefined ? {} : { reason }),
    })
    return {
      version: result.version,
      previousVersion: result.previousVersion,
      rolledBackAt: result.rolledBackAt,
      alreadyProduction: result.alreadyProduction,
      historyAppended: result.historyAppended,
    }
  }

  async tryIt(version: string, pairId: string): Promise<TryItResult> {
    const pair = this.options.staging.qaInputs().find((input) => input.sampleId === pairId)
    if (pair === undefined) {
      throw new WmsError('fs/not-found', `No staged pair ${pairId} with both an image and a mask.`, {
        hint: 'Add the pair in Add data (an image and its mask), then try the model on it.',
      })
    }
    const revision = this.options.staging.revisionOf(pairId)
    const { store, config } = await this.tracking()
    const modelVersion = await store.getModelVersion(config.tracking.registeredModel, version)
    const modelDir = await this.files.folder(store, modelVersion)
    const compared = await this.options.inference.tryOnPhoto({
      modelDir,
      image: pair.image.path,
      mask: pair.mask.path,
    })
    const disagrees = isLargeDisagreement(compared.dice)
    const checkedAt = (this.options.now ?? (() => new Date()))().toISOString()
    this.options.staging.recordModelCheck(pairId, revision, {
      version,
      dice: compared.dice,
      iou: compared.iou,
      disagrees,
      checkedAt,
    })
    return {
      version,
      pairId,
      revision,
      width: compared.width,
      height: compared.height,
      foreground: compared.foreground,
      dice: compared.dice,
      iou: compared.iou,
      disagrees,
      predictedOverlay: dataUrl(compared.predictedOverlay),
      differenceOverlay: dataUrl(compared.differenceOverlay),
      seconds: compared.seconds,
    }
  }

  dispose(): Promise<void> | void {
    return this.options.inference.dispose()
  }

  private async tracking() {
    return openAppTracking(this.options.workspaceRoot, await this.options.mlflow?.(), this.options.env)
  }
}

/** Where downloaded versions live under the workspace's app data. */
export function modelsCacheDir(workspaceRoot: string): string {
  return path.join(workspaceRoot, '.wms', 'cache', 'models')
}

function dataUrl(png: Buffer): string {
  return `data:image/png;base64,${png.toString('base64')}`
}
