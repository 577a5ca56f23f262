import path from 'node:path'
import type { AppInfo, InvokeHandlers, UploadHandlers } from '@wms/shared/ipc/contract'
import { WmsError } from '@wms/shared/errors'
import { attempt } from '@wms/shared/result'
import { listDataBranches, readWorkspaceConfig, readWorkspaceInfo } from 'training-runner'
import type { EventHub } from '../ipc/event-hub.js'
import { DisposableStore, type Disposable } from './disposables.js'
import { createDatasetFileResolver } from './media/dataset-files.js'
import { MediaService, type MediaResponse } from './media/media-service.js'
import type { StagingServiceOptions } from './staging/staging-service.js'
import { StagingService } from './staging/staging-service.js'
import { SubmitService } from './staging/submit-service.js'
import { addInGroups } from './upload-ingest.js'
import { PipelineService, type PipelineServiceOptions } from './pipeline/pipeline-service.js'
import type { WorkspaceActivity } from '@wms/shared/settings/accounts'
import { afterLoginChanges, type SettingsHandlers } from './settings/settings-handlers.js'
import { createPipelineStatus } from './pipeline/pipeline-status.js'
import type { StatusCredentials } from './pipeline/status-source.js'
import { runnerTrackingEnv, trackingEnvFor } from './settings/mlflow-target.js'
import { modelsCacheDir, ModelsService } from './models/models-service.js'
import { createWorkerPhotoInference, type PhotoInference } from './models/photo-inference.js'

/** The QA pieces the staging area needs (the runner's QA engine in the app, fakes in tests). */
export type StagingDeps = Pick<StagingServiceOptions, 'qa' | 'fix' | 'describePairingProblem'>

/** What the services need to know about where they run. */
export interface AppServicesOptions {
  workspaceRoot: string
  host: AppInfo['host']
  version: string
  versions: AppInfo['versions']
  events: EventHub
  staging: StagingDeps
  /** The demo's `incoming/` folder, when the workspace is the demo. */
  demoIncoming?: string
  /** Delays of automatic push retries (tests shorten them). */
  retryDelaysMs?: readonly number[]
  /** The local pipeline runner (workspaces with `pipeline.runner: local`); `false` turns it off. */
  localRunner?: false | Pick<PipelineServiceOptions, 'cliModule' | 'pollMs' | 'runArgs' | 'execArgv'>
  /** The Settings channels (workspaces, accounts): app-wide, they outlive this workspace's services (issue 17). */
  settings: SettingsHandlers
  /** Stored accounts the pipeline's status sources read (GitHub, MLflow); default: none. */
  credentials?: StatusCredentials
  /** How often the pipeline's status source is read (tests shorten it). */
  statusIntervalMs?: number
  /** Where Models → Try it predicts: the built inference worker (`out/main/inference-worker.js`), or another. */
  inference?: { workerPath: string } | PhotoInference
}

/** The main-process services: one handler per contract channel, media for pictures, and everything they own. */
export interface AppServices extends Disposable {
  handlers: InvokeHandlers
  uploadHandlers: UploadHandlers
  media: (mediaPath: string) => Promise<MediaResponse>
  staging: StagingService
  /** What is running in this workspace (a workspace switch asks before stopping it). */
  activity: () => Promise<WorkspaceActivity>
}

/**
 * Composes the runner's library into the handlers both hosts serve. Handlers stay thin: gather inputs, call the
 * library, return a Result. No domain logic lives here.
 */
export async function createAppServices(options: AppServicesOptions): Promise<AppServices> {
  const store = new DisposableStore()
  const root = options.workspaceRoot
  const config = await readWorkspaceConfig(root)
  const appData = path.join(root, '.wms')
  const staging = store.add(
    await StagingService.open({
      dir: path.join(appData, 'staging'),
      events: options.events,
      ...options.staging,
      submitted: { workspaceRoot: root, datasetRoot: config.dataset.root },
      ...(options.demoIncoming === undefined ? {} : { demoIncoming: options.demoIncoming }),
    }),
  )
  const submit = store.add(
    new SubmitService(staging, {
      workspaceRoot: root,
      datasetRoot: config.dataset.root,
      ...(options.retryDelaysMs === undefined ? {} : { retryDelaysMs: options.retryDelaysMs }),
    }),
  )
  await submit.resume()
  // The status source asks the runner for its queue; the runner's events go to the status's log.
  const runner: { service?: PipelineService | undefined } = {}
  const status = createPipelineStatus({
    workspaceRoot: root,
    config,
    runnerState: () => runner.service?.overviewState() ?? { running: null, queued: [] },
    onUpdate: (update) => options.events.emit('pipeline:status', update),
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    ...(options.statusIntervalMs === undefined ? {} : { intervalMs: options.statusIntervalMs }),
  })
  // Disposed after the runner (the store disposes in reverse): its last events reach the log.
  store.add({ dispose: () => status.log.flush() })
  const pipeline =
    config.pipeline.runner === 'local' && options.localRunner !== false
      ? store.add(
          new PipelineService({
            workspaceRoot: root,
            onEvent: (event) => {
              status.log.append(event)
              options.events.emit('pipeline:event', event)
            },
            ...options.localRunner,
            // Records to the MLflow the app reads (the Settings server and login), as the status and Models do.
            childEnv: async () => runnerTrackingEnv(await options.credentials?.mlflow(), process.env),
          }),
        )
      : undefined
  runner.service = pipeline
  store.add(status.poller)
  await status.poller.start()
  pipeline?.start()
  const credentials = options.credentials
  const models = store.add(
    new ModelsService({
      workspaceRoot: root,
      cacheDir: modelsCacheDir(root),
      inference: photoInference(options.inference),
      staging,
      env: process.env,
      // The registry is read at the stored MLflow account's server, with its login, as the Pipeline reads runs.
      ...(credentials === undefined ? {} : { mlflow: () => credentials.mlflow() }),
    }),
  )
  const media = new MediaService(staging.store, path.join(appData, 'cache', 'media'), createDatasetFileResolver(root))

  const handlers: InvokeHandlers = {
    // A login saved in Settings is used at once: the status source looks again with it.
    ...afterLoginChanges(options.settings, () => void status.poller.refresh().catch(() => undefined)),
    'app:get-info': () =>
      attempt(() =>
        Promise.resolve({
          name: 'WMS Studio',
          version: options.version,
          host: options.host,
          platform: process.platform,
          versions: options.versions,
        }),
      ),
    // The header names the MLflow the app reads: the Settings address when one is saved, as the Pipeline and Models.
    'workspace:get-info': () =>
      attempt(async () => readWorkspaceInfo(root, { env: trackingEnvFor(await credentials?.mlflow(), process.env) })),
    'workspace:get-config': () => attempt(() => readWorkspaceConfig(root)),
    'staging:get-state': () => attempt(() => Promise.resolve(staging.snapshot())),
    'staging:add-demo-samples': () => attempt(() => staging.addDemoSamples()),
    'staging:remove-pairs': (request) => attempt(() => staging.removePairs(request.ids)),
    'staging:apply-fixes': (request) => attempt(() => staging.applyFixes(request.ids)),
    'staging:set-replacement': (request) =>
      attempt(async () => {
        await staging.setReplacement(request.id, request.replacement)
        return {}
      }),
    'staging:clear': () => attempt(() => staging.clear()),
    'staging:undo': () => attempt(() => staging.undo()),
    'staging:get-settings': () => attempt(() => Promise.resolve(staging.settings)),
    'staging:set-settings': (request) => attempt(() => staging.setSettings(request)),
    'staging:retry-qa': () =>
      attempt(() => {
        staging.retryQa()
        return Promise.resolve({})
      }),
    'submit:preview': (request) => attempt(() => submit.preview(request)),
    'submit:start': (request) => attempt(() => submit.start(request)),
    'submit:retry': () => attempt(() => submit.retry()),
    'pipeline:list-data-branches': () => attempt(() => listDataBranches(root)),
    'pipeline:list-runs': () =>
      attempt(async () => (pipeline === undefined ? { runs: [], running: null, queued: [] } : pipeline.overview())),
    'pipeline:get-status': () => attempt(() => Promise.resolve(status.poller.status())),
    'pipeline:refresh-status': () => attempt(() => status.poller.refresh()),
    'models:get-overview': () => attempt(() => models.overview()),
    'models:rollback': (request) => attempt(() => models.rollback(request.version, request.reason)),
    'models:try': (request) => attempt(() => models.tryIt(request.version, request.pairId)),
    'submit:dismiss': () =>
      attempt(async () => {
        await submit.dismiss()
        return {}
      }),
  }
  const uploadHandlers: UploadHandlers = {
    'staging:add-files': (request, files) =>
      attempt(() => addInGroups(request.files, files, (group) => staging.addFiles(group))),
    'staging:replace-file': (request, [file]) =>
      attempt(async () =>
        staging.replacePairFile(request.id, request.role, {
          path: request.files[0].path,
          bytes: file === undefined ? new Uint8Array() : await file.bytes(),
        }),
      ),
  }
  return {
    handlers,
    uploadHandlers,
    media: (mediaPath) => media.get(mediaPath),
    staging,
    activity: async () => {
      const { summary, submission } = staging.snapshot()
      return {
        pipelineRun: pipeline === undefined ? null : (await pipeline.overview()).running,
        submitting: submission?.phase === 'committing' || submission?.phase === 'pushing',
        qaPending: summary.byStatus.pending + summary.byStatus.checking,
      }
    },
    dispose: () => store.dispose(),
  }
}

// Without a worker (unit tests that never try a model) a try says so instead of predicting on the main thread.
function photoInference(option: AppServicesOptions['inference']): PhotoInference {
  if (option !== undefined && 'workerPath' in option) return createWorkerPhotoInference(option.workerPath)
  if (option !== undefined) return option
  return {
    tryOnPhoto: () =>
      Promise.reject(
        new WmsError('training/backend-unavailable', 'This app was started without its inference worker.', {
          hint: 'Start WMS Studio with npm start (the built app includes the worker).',
        }),
      ),
    dispose: () => undefined,
  }
}
