import { z } from 'zod'
import { configObject } from './strict-object.js'
import { err, ok, type Result } from '../result.js'
import { formatSchemaIssues } from '../util/schema-issues.js'
import { GatePolicySchema } from './gate-policy.js'
import { QaPolicySchema } from './qa-policy.js'
import { TrainingConfigSchema } from './training-config.js'

/** The file name of a workspace's project config, at the repository root. */
export const WORKSPACE_CONFIG_FILE = 'wms.config.json'

/** The config format this version of WMS Studio writes and reads. */
export const WORKSPACE_CONFIG_VERSION = 1

/** True for a relative path that stays inside the folder it is relative to: not absolute, never `..` above it. */
export function staysInside(relpath: string): boolean {
  if (/^([a-zA-Z]:)?[\\/]/.test(relpath) || relpath.startsWith('~')) return false
  let depth = 0
  for (const part of relpath.split(/[\\/]+/)) {
    if (part === '..') depth -= 1
    else if (part !== '.' && part !== '') depth += 1
    if (depth < 0) return false
  }
  return true
}

/** `/`, `//`, `C:\\`: a whole disk, never a DVC remote's folder. */
function isFileSystemRoot(dir: string): boolean {
  return /^([a-zA-Z]:)?[\\/]+$/.test(dir.trim()) || /^[a-zA-Z]:$/.test(dir.trim())
}

/** Transfer tuning shared by every kind of remote (defaults are applied by the runner). */
const transferTuning = {
  /** Transfers at once (default 8 for S3, 4 for a local directory). */
  concurrency: z.number().int().min(1).max(64).optional(),
  /** Retries of a failed request, with exponential backoff and jitter (default 4). */
  retries: z.number().int().min(0).max(10).optional(),
}

/** Where DVC keeps the raw files: a local directory (demo, tests) or an S3 bucket, in DVC's own layout. */
export const DataRemoteSchema = z.discriminatedUnion('type', [
  configObject({
    type: z.literal('local'),
    /** Directory of the remote; relative paths are relative to the workspace root. */
    path: z
      .string()
      .min(1)
      .refine((dir) => !isFileSystemRoot(dir), 'must be a folder for the remote, not the root of a disk'),
    ...transferTuning,
  }),
  configObject({
    type: z.literal('s3'),
    bucket: z.string().min(3),
    /** Key prefix of the DVC remote inside the bucket (e.g. `dvc`), without a trailing slash. */
    prefix: z.string().default(''),
    region: z.string().default('us-east-1'),
    /** Endpoint of an S3-compatible server (MinIO, a test server); omit for AWS. */
    endpoint: z.url().optional(),
    forcePathStyle: z.boolean().default(false),
    ...transferTuning,
  }),
])

/** A workspace's DVC remote. */
export type DataRemote = z.infer<typeof DataRemoteSchema>

/** Where training runs and the model registry live: an MLflow server or a local FileStore directory. */
export const TrackingConfigSchema = configObject({
  /** `file:<dir>` (FileStore; relative to the workspace root) or `http(s)://…` (MLflow server, REST API 2.0). */
  uri: z.string().regex(/^(file:|https?:\/\/)/, 'must start with file: or http(s)://'),
  experiment: z.string().min(1).default('water-meter-segmentation'),
  registeredModel: z.string().min(1).default('water-meter-segmentation'),
})

/** A workspace's MLflow settings. */
export type TrackingConfig = z.infer<typeof TrackingConfigSchema>

/** The project config (`wms.config.json`): data paths, remotes, tracking, QA policy, training and gate settings. */
export const WorkspaceConfigSchema = configObject({
  version: z.literal(WORKSPACE_CONFIG_VERSION),
  name: z.string().min(1),
  dataset: configObject({
    /** Folder holding `images/` and `masks/` and their `.dvc` pointer files, relative to the workspace root. */
    root: z
      .string()
      .min(1)
      .refine(staysInside, 'must be a folder inside the workspace (a relative path without ..)')
      .default('data/training'),
    remote: DataRemoteSchema,
  }),
  tracking: TrackingConfigSchema,
  github: z
    .object({ repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'must look like owner/name') })
    .nullable()
    .default(null),
  pipeline: configObject({ runner: z.enum(['local', 'github-actions']).default('local') }).prefault({}),
  qa: QaPolicySchema.prefault({}),
  training: TrainingConfigSchema.prefault({}),
  gate: GatePolicySchema.prefault({}),
})

/** A parsed, defaulted `wms.config.json`. */
export type WorkspaceConfig = z.infer<typeof WorkspaceConfigSchema>

/** What a config file may contain before defaults are applied. */
export type WorkspaceConfigInput = z.input<typeof WorkspaceConfigSchema>

/** Validates a parsed `wms.config.json`; the error lists every problem with its JSON path. */
export function parseWorkspaceConfig(json: unknown): Result<WorkspaceConfig> {
  if (typeof json === 'object' && json !== null && 'version' in json) {
    const version = json.version
    if (typeof version === 'number' && version > WORKSPACE_CONFIG_VERSION) {
      return err({
        code: 'workspace/invalid-config',
        message: `${WORKSPACE_CONFIG_FILE} has version ${String(version)}, newer than this WMS Studio understands (${String(WORKSPACE_CONFIG_VERSION)}).`,
        hint: 'Update WMS Studio, or open a workspace made by this version.',
      })
    }
  }
  const parsed = WorkspaceConfigSchema.safeParse(json)
  if (parsed.success) return ok(parsed.data)
  return err({
    code: 'workspace/invalid-config',
    message: `${WORKSPACE_CONFIG_FILE} is not valid:\n${formatSchemaIssues(parsed.error)}`,
    hint: `Fix the listed fields in ${WORKSPACE_CONFIG_FILE} and reopen the workspace.`,
  })
}
