import { z } from 'zod'
import { WorkspaceConfigSchema } from '../config/workspace-config.js'
import { PipelineEventSchema } from '../pipeline/events.js'
import { PipelineRunRecordSchema } from '../pipeline/run-record.js'
import { PipelineStatusSchema, PipelineStatusUpdateSchema } from '../pipeline/timeline.js'
import type { Result } from '../result.js'
import { WorkspaceInfoSchema } from '../workspace/workspace-info.js'
import {
  ACCOUNT_SERVICES,
  AccountsViewSchema,
  CloneWorkspaceRequestSchema,
  ConnectionTestResultSchema,
  CreateWorkspaceRequestSchema,
  OpenWorkspaceRequestSchema,
  SaveGitHubRequestSchema,
  SaveMlflowRequestSchema,
  SaveS3RequestSchema,
  WorkspaceRefSchema,
  WorkspacesViewSchema,
} from '../settings/accounts.js'
import {
  ModelRegistryOverviewSchema,
  ModelRollbackResultSchema,
  TryItResultSchema,
  VersionNumberSchema,
} from '../models/model-registry.js'
import { MAX_UPLOAD_FILE_BYTES } from './upload-limit.js'
import {
  StagedPairSchema,
  StagedProblemSchema,
  StagingSettingsSchema,
  StagingSnapshotSchema,
  StagingSummarySchema,
  SubmissionStateSchema,
  SubmitPreviewSchema,
  PairIdSchema,
  UploadPathSchema,
} from '../staging/staging-types.js'

/**
 * The one IPC contract between the renderer and the main-process services.
 *
 * Both hosts implement it: Electron (preload + `ipcMain.handle`) and the web host (HTTP POST for calls, WebSocket
 * for events). Channel names are `domain:verb`. Main validates every request against its schema before a handler
 * runs; handlers answer with a {@link Result}, never by throwing.
 */

/** A request/response channel: the request schema main validates, and the response schema. */
export interface InvokeChannelSpec<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  request: Req
  response: Res
}

function channel<Req extends z.ZodType, Res extends z.ZodType>(
  request: Req,
  response: Res,
): InvokeChannelSpec<Req, Res> {
  return { request, response }
}

const NoRequest = z.object({}).strict()

/** How a submission treats pairs that cannot go as they are (issue 23). */
const SubmitOptionsSchema = z
  .object({
    /** Submit the pairs that are ready and leave the blocked ones staged. */
    onlyReady: z.boolean().optional(),
    /** Let photos go with the GPS location they record (off: such photos block until the location is stripped). */
    includeGps: z.boolean().optional(),
  })
  .strict()

/** Name, version and host of the running app. */
export const AppInfoSchema = z.object({
  name: z.string(),
  version: z.string(),
  host: z.enum(['electron', 'web']),
  platform: z.string(),
  versions: z.object({ node: z.string(), electron: z.string().nullable(), chrome: z.string().nullable() }),
})

/** What `app:get-info` returns. */
export type AppInfo = z.infer<typeof AppInfoSchema>

/** Request/response channels. */
export const invokeChannels = {
  /** Name, version and host (Electron or web) of the running app. */
  'app:get-info': channel(NoRequest, AppInfoSchema),
  /** The open workspace: repository, branch, git remotes, DVC remote, tracking, pipeline runner. */
  'workspace:get-info': channel(NoRequest, WorkspaceInfoSchema),
  /** The workspace's parsed `wms.config.json`, defaults applied. */
  'workspace:get-config': channel(NoRequest, WorkspaceConfigSchema),

  /** Everything staged: pairs with their QA status and issues, unpaired files, the summary and the submission. */
  'staging:get-state': channel(NoRequest, StagingSnapshotSchema),
  /** Stages the demo's `incoming/` pairs (only in the demo workspace): a one-click way to try the app. */
  'staging:add-demo-samples': channel(NoRequest, z.object({ added: z.number().int().nonnegative() })),
  /** Removes pairs (both files), or files without a partner by their problem's id, from the staging area. */
  'staging:remove-pairs': channel(
    z.object({ ids: z.array(PairIdSchema).min(1) }).strict(),
    z.object({ removed: z.number() }),
  ),
  /** Applies the safe fixes (bake orientation, strip metadata, binarise masks as PNG) to pairs; originals are kept. */
  'staging:apply-fixes': channel(
    z.object({ ids: z.array(PairIdSchema).min(1) }).strict(),
    z.object({
      fixed: z.number().int().nonnegative(),
      unchanged: z.number().int().nonnegative(),
      /** Per pair: what the fix did (`thresholded at 127`), or why it did nothing (issue 23). */
      results: z.array(z.object({ id: z.string(), did: z.array(z.string()), skipped: z.string().optional() })),
    }),
  ),
  /** Declares (or undeclares) a pair as a deliberate replacement of the dataset's pair with the same name. */
  'staging:set-replacement': channel(z.object({ id: PairIdSchema, replacement: z.boolean() }).strict(), z.object({})),
  /** Empties the staging area: every staged file, pairs and files without a partner alike. */
  'staging:clear': channel(NoRequest, z.object({ removed: z.number() })),
  /** Checks the staged pairs again after a QA run failed (their `qaError` says why it did). */
  'staging:retry-qa': channel(NoRequest, z.object({})),

  // Issue 23: undo, and the staging area's workspace settings.
  /** Undoes the last removal, replacement or fix; answers what was undone, or null when there was nothing. */
  'staging:undo': channel(NoRequest, z.object({ undone: z.string().nullable() })),
  /** The staging area's workspace settings (fix format findings on add). */
  'staging:get-settings': channel(NoRequest, StagingSettingsSchema),
  /** Changes the staging area's workspace settings; answers the settings now in force. */
  'staging:set-settings': channel(StagingSettingsSchema.partial().strict(), StagingSettingsSchema),

  /**
   * What a submit would push (branch, commit message, files, bytes) and what blocks it. `onlyReady` leaves the
   * blocked pairs staged instead of refusing; `includeGps` lets photos with a GPS location go (issue 23).
   */
  'submit:preview': channel(SubmitOptionsSchema, SubmitPreviewSchema),
  /**
   * Commits the staged pairs on a new data branch and pushes it; progress follows as `staging:updated` events.
   * `branch` is the name the review showed: it is used when still free, so the branch pushed is the one shown.
   */
  'submit:start': channel(
    SubmitOptionsSchema.extend({
      message: z.string().min(1).max(10_000).optional(),
      branch: z
        .string()
        .regex(/^data\/\d{8}-\d{6}(-\d+)?$/)
        .optional(),
    }).strict(),
    SubmissionStateSchema,
  ),
  /** Retries a queued or failed push now. */
  'submit:retry': channel(NoRequest, SubmissionStateSchema),
  /** Forgets a finished or failed submission (the data branch stays). */
  'submit:dismiss': channel(NoRequest, z.object({})),

  /** The local pipeline runner: every branch's run record, the branch running now and the ones waiting. */
  'pipeline:list-runs': channel(
    NoRequest,
    z.object({ runs: z.array(PipelineRunRecordSchema), running: z.string().nullable(), queued: z.array(z.string()) }),
  ),
  /** The workspace's data branches, newest first, and whether the git remote has each. */
  'pipeline:list-data-branches': channel(
    NoRequest,
    z.array(
      z.object({
        branch: z.string(),
        commit: z.string(),
        subject: z.string(),
        committedAt: z.number(),
        pushed: z.boolean(),
      }),
    ),
  ),

  // ── Settings (issue 17): workspaces and accounts. Secrets go in, never out: answers carry no token or key. ──
  /** The open workspace, recently opened ones, and what is running (a switch would stop it). */
  'settings:get-workspaces': channel(NoRequest, WorkspacesViewSchema),
  /**
   * Opens another workspace. Refused (`workspace/busy`) while a pipeline run or a submission is in flight, unless
   * `stopRunning`: the run is then stopped at a step boundary and recorded as interrupted (resumable). A QA pass in
   * flight is cancelled; the staged pairs stay in that workspace and are checked again when it is reopened.
   */
  'settings:open-workspace': channel(OpenWorkspaceRequestSchema, WorkspacesViewSchema),
  /** Creates a workspace in an empty or missing folder (`git init` + `training-runner init`) and opens it. */
  'settings:create-workspace': channel(CreateWorkspaceRequestSchema, WorkspacesViewSchema),
  /** Clones a repository into a new folder (the stored GitHub token authenticates https://github.com), opens it. */
  'settings:clone-workspace': channel(CloneWorkspaceRequestSchema, WorkspacesViewSchema),
  /** Accounts as the renderer may see them: who is signed in, what is configured, never a secret. */
  'accounts:get': channel(NoRequest, AccountsViewSchema),
  /** Where GitHub is and which OAuth App client ID the device flow uses. */
  'accounts:save-github': channel(SaveGitHubRequestSchema, AccountsViewSchema),
  /** Signs in with a pasted token: checked with GET /user first; a refused token is not stored. */
  'accounts:github-token': channel(
    z.object({ token: z.string().trim().min(1).max(1024) }).strict(),
    AccountsViewSchema,
  ),
  /** Starts a device-flow sign-in; main polls GitHub and sends `accounts:changed` when it ends. */
  'accounts:github-device-start': channel(NoRequest, AccountsViewSchema),
  /** Stops waiting for a device-flow sign-in. */
  'accounts:github-device-cancel': channel(NoRequest, AccountsViewSchema),
  /** Forgets an account and its secrets. */
  'accounts:sign-out': channel(z.object({ service: z.enum(ACCOUNT_SERVICES) }).strict(), AccountsViewSchema),
  /** Stores the S3 settings (secret key encrypted). */
  'accounts:save-s3': channel(SaveS3RequestSchema, AccountsViewSchema),
  /** Stores the MLflow server and its login (token or password encrypted). */
  'accounts:save-mlflow': channel(SaveMlflowRequestSchema, AccountsViewSchema),
  /** Tests a stored connection and names the exact problem when it fails. */
  'accounts:test': channel(z.object({ service: z.enum(ACCOUNT_SERVICES) }).strict(), ConnectionTestResultSchema),
  // Issue 17 (the Pipeline area): one timeline per data branch, from the workspace's status source.
  /** Every data branch's timeline (pushed → merge & QA → training → gate → promotion → merged), newest first, and how fresh it is. */
  'pipeline:get-status': channel(NoRequest, PipelineStatusSchema),
  /** Looks at the status source now (ignoring the back-off after failures) and answers with the new status. */
  'pipeline:refresh-status': channel(NoRequest, PipelineStatusSchema),
  // ── Models (issue 17): the registry's history, rollback, and "try it" on a staged photo ──────────────────────
  /** Every registered version (scores, data, branch, PR), which is production and since when, and the timeline. */
  'models:get-overview': channel(NoRequest, ModelRegistryOverviewSchema),
  /** Makes an earlier version production again (the runner's rollback: under the promotion lock, recorded). */
  'models:rollback': channel(
    z.object({ version: VersionNumberSchema, reason: z.string().trim().min(1).max(2000).optional() }).strict(),
    ModelRollbackResultSchema,
  ),
  /**
   * Runs a version on a staged pair's photo in the inference worker (the code of `training-runner predict`) and
   * compares the mask with the annotator's; a large disagreement is recorded on the pair (`modelCheck`).
   */
  'models:try': channel(z.object({ version: VersionNumberSchema, pairId: PairIdSchema }).strict(), TryItResultSchema),
} as const satisfies Record<string, InvokeChannelSpec>

/** A channel that carries files' bytes next to a validated request (see {@link UPLOAD_PACK_FORMAT}). */
export interface UploadChannelSpec<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  /** The request: at least `files`, each with its path and size, in the order their bytes follow. */
  request: Req
  response: Res
  /** Largest file the channel takes; a larger one is refused (`ipc/too-large`) before its bytes are read. */
  maxFileBytes: number
}

/** One file of an upload request: its path as dropped or picked, and its size in bytes. */
const UploadEntrySchema = z.object({ path: UploadPathSchema, size: z.number().int().nonnegative() }).strict()

/**
 * How an upload travels, the same on both hosts: a 4-byte little-endian length N, N bytes of UTF-8 JSON (the
 * request), then the files' bytes back to back in the order the request lists them with their sizes. Bytes are
 * never base64-encoded: the browser streams the files from disk and main slices them without copying.
 */
export const UPLOAD_PACK_FORMAT = 'u32le header length · UTF-8 JSON request · file bytes in request order'

/** Channels that carry file bytes. */
export const uploadChannels = {
  /**
   * Stages dropped or picked files. Each is placed in the dataset layout by its path; files that cannot be placed
   * come back as rejected with the reason. QA results follow as `staging:updated` events.
   */
  'staging:add-files': {
    request: z.object({ files: z.array(UploadEntrySchema).min(1).max(2048) }).strict(),
    response: z.object({
      added: z.array(z.object({ path: z.string(), relpath: z.string(), id: z.string(), replaced: z.boolean() })),
      rejected: z.array(
        z.object({
          path: z.string(),
          reason: z.string(),
          /** Why, as a kind the app groups by: `unknown-role` (cannot tell photo from mask), `git-path`, `store`. */
          kind: z.enum(['unknown-role', 'git-path', 'store']).optional(),
        }),
      ),
    }),
    maxFileBytes: MAX_UPLOAD_FILE_BYTES,
  },
  /** Replaces a pair's mask (or image) with one file; the dataset name stays. Same path and limit as adding. */
  'staging:replace-file': {
    request: z
      .object({ id: PairIdSchema, role: z.enum(['image', 'mask']), files: z.tuple([UploadEntrySchema]) })
      .strict(),
    response: z.object({ relpath: z.string() }),
    maxFileBytes: MAX_UPLOAD_FILE_BYTES,
  },
} as const satisfies Record<string, UploadChannelSpec>

/** An upload channel name. */
export type UploadChannel = keyof typeof uploadChannels

/** The request (file list) a caller sends on upload channel `C`. */
export type UploadRequestOf<C extends UploadChannel> = z.input<(typeof uploadChannels)[C]['request']>

/** The value upload channel `C` answers with. */
export type UploadResponseOf<C extends UploadChannel> = z.output<(typeof uploadChannels)[C]['response']>

/** Every upload channel. */
export const UPLOAD_CHANNELS = Object.keys(uploadChannels) as UploadChannel[]

/** True when `name` is an upload channel of the contract. */
export function isUploadChannel(name: unknown): name is UploadChannel {
  return typeof name === 'string' && Object.hasOwn(uploadChannels, name)
}

/**
 * A received file of an upload: its size, and its bytes on demand (a view of the IPC message in Electron, a file
 * spooled to disk by the web host), so a handler holds only the files it is working on.
 */
export interface UploadedFile {
  size: number
  bytes(): Promise<Uint8Array>
}

/** The main-process side of the upload channels: the validated request and each received file. */
export type UploadHandlers = {
  [C in UploadChannel]: (
    request: z.output<(typeof uploadChannels)[C]['request']>,
    files: UploadedFile[],
  ) => Promise<Result<UploadResponseOf<C>>>
}

/**
 * Main → renderer event channels and their payload schemas. Only channels something emits and something listens to:
 * `pipeline:event` is produced by the local pipeline runner (src-main/services/pipeline).
 */
export const eventChannels = {
  /** A pipeline event (merge, QA, training, gate, promotion, publish) of the local runner; `branch` names the run. */
  'pipeline:event': PipelineEventSchema,
  /** Issue 17: timelines that changed, branches gone, and the status's freshness (live, or the last known state). */
  'pipeline:status': PipelineStatusUpdateSchema,
  /** What changed in the staging area: changed or added pairs, removed ids, and the new summary and submission. */
  'staging:updated': z.object({
    pairs: z.array(StagedPairSchema),
    removed: z.array(z.string()),
    problems: z.array(StagedProblemSchema),
    summary: StagingSummarySchema,
    submission: SubmissionStateSchema.nullable(),
    /** What the last undoable edit did, or null (issue 23). */
    undo: z.string().nullable(),
  }),
  /** Accounts changed outside a call (a device-flow sign-in finished, failed or expired). Issue 17. */
  'accounts:changed': AccountsViewSchema,
  /** Another workspace is open now: every area reloads. Issue 17. */
  'settings:workspace-changed': WorkspaceRefSchema,
} as const satisfies Record<string, z.ZodType>

/** A request/response channel name. */
export type InvokeChannel = keyof typeof invokeChannels

/** An event channel name. */
export type EventChannel = keyof typeof eventChannels

/** The request a caller passes on channel `C` (before schema defaults). */
export type RequestOf<C extends InvokeChannel> = z.input<(typeof invokeChannels)[C]['request']>

/** The request a handler receives on channel `C` (after validation and defaults). */
export type ParsedRequestOf<C extends InvokeChannel> = z.output<(typeof invokeChannels)[C]['request']>

/** The value channel `C` answers with. */
export type ResponseOf<C extends InvokeChannel> = z.output<(typeof invokeChannels)[C]['response']>

/** The payload of event channel `E`. */
export type EventPayloadOf<E extends EventChannel> = z.output<(typeof eventChannels)[E]>

/** Every request/response channel, for allow-lists in the preload and the web host. */
export const INVOKE_CHANNELS = Object.keys(invokeChannels) as InvokeChannel[]

/** Every event channel. */
export const EVENT_CHANNELS = Object.keys(eventChannels) as EventChannel[]

/** True when `name` is a request/response channel of the contract. */
export function isInvokeChannel(name: unknown): name is InvokeChannel {
  return typeof name === 'string' && Object.hasOwn(invokeChannels, name)
}

/** True when `name` is an event channel of the contract. */
export function isEventChannel(name: unknown): name is EventChannel {
  return typeof name === 'string' && Object.hasOwn(eventChannels, name)
}

/** The main-process side of the contract: exactly one handler per channel (the compiler checks completeness). */
export type InvokeHandlers = {
  [C in InvokeChannel]: (request: ParsedRequestOf<C>) => Promise<Result<ResponseOf<C>>>
}

/** Name of the single Electron IPC channel used for invocations (the contract channel travels in the payload). */
export const ELECTRON_INVOKE_CHANNEL = 'wms:invoke'

/** Name of the single Electron IPC channel main pushes events on. */
export const ELECTRON_EVENT_CHANNEL = 'wms:event'

/** Name of the Electron IPC channel uploads travel on (the contract channel travels in the payload). */
export const ELECTRON_UPLOAD_CHANNEL = 'wms:upload'

/** The custom scheme Electron serves media on (the web host uses `/media/`). */
export const ELECTRON_MEDIA_SCHEME = 'wms-media'
