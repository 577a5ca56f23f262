import { z } from 'zod'

/**
 * What the renderer may know about the user's accounts (issue 17, Settings). Secrets — the GitHub token, the AWS
 * secret key, the MLflow token or password — never appear here: the renderer learns only whether one is stored and,
 * for GitHub, who it belongs to and which scopes it carries. Main keeps the secrets encrypted and hands them to the
 * services that need them (`AccountsService.credentialsFor`).
 */

/** The services the app holds accounts for. */
export const ACCOUNT_SERVICES = ['github', 's3', 'mlflow'] as const

/** One of {@link ACCOUNT_SERVICES}. */
export type AccountService = (typeof ACCOUNT_SERVICES)[number]

/** Where secrets are kept: Electron's `safeStorage` (OS keychain) or the web host's AES-256-GCM file. */
export const SecretStorageInfoSchema = z.object({
  kind: z.enum(['safe-storage', 'encrypted-file']),
  /** In words, for the user: which keychain, or which files. */
  description: z.string(),
  /** Why the stored secrets cannot be read (wrong key, damaged file); saving a secret starts a new store. */
  problem: z.string().nullable(),
})

/** An in-progress GitHub device-flow sign-in: the code the user types at the verification page. */
export const DeviceFlowViewSchema = z.object({
  state: z.enum(['waiting', 'denied', 'expired', 'failed']),
  userCode: z.string(),
  verificationUri: z.string(),
  expiresAt: z.number(),
  /** Why it ended, when it did not succeed. */
  message: z.string().optional(),
})

/** The GitHub account as the renderer sees it: "connected as <login>, scopes …", never the token. */
export const GitHubAccountViewSchema = z.object({
  /** REST API base (`https://api.github.com`, or a GitHub Enterprise Server's `/api/v3`). */
  apiUrl: z.string(),
  /** Web base for the device flow (`https://github.com`). */
  webUrl: z.string(),
  /** The OAuth App client ID the device flow uses; `null` when none is configured (token sign-in still works). */
  oauthClientId: z.string().nullable(),
  /** Where the client ID comes from: the Settings form, the `WMS_GITHUB_CLIENT_ID` variable, or nowhere. */
  oauthClientIdSource: z.enum(['settings', 'environment', 'none']),
  account: z
    .object({
      login: z.string(),
      name: z.string().nullable(),
      /** Classic token scopes (`X-OAuth-Scopes`); empty for fine-grained tokens, which carry none. */
      scopes: z.array(z.string()),
      /** Scopes the app needs that the token lacks (`repo`, `workflow`). */
      missingScopes: z.array(z.string()),
      method: z.enum(['token', 'device-flow']),
      connectedAt: z.number(),
    })
    .nullable(),
  deviceFlow: DeviceFlowViewSchema.nullable(),
})

/** How the S3 client finds its credentials. */
export const S3CredentialModeSchema = z.enum(['default-chain', 'profile', 'keys'])

/** S3 settings as the renderer sees them: the access key ID masked, the secret only as "stored". */
export const S3AccountViewSchema = z.object({
  configured: z.boolean(),
  mode: S3CredentialModeSchema,
  profile: z.string().nullable(),
  /** `AKIA…WXYZ`: enough to recognise the key, not to use it. */
  accessKeyIdHint: z.string().nullable(),
  hasSecret: z.boolean(),
  region: z.string(),
  bucket: z.string(),
  endpoint: z.string().nullable(),
  forcePathStyle: z.boolean(),
})

/** How the MLflow client authenticates. */
export const MlflowAuthModeSchema = z.enum(['none', 'token', 'basic'])

/**
 * The MLflow the app reads now (Pipeline, Models, the connection test) and why: the address saved in Settings for
 * this app, `MLFLOW_TRACKING_URI` in the app's environment, or the workspace config's tracking URI (the team's
 * default, which CI uses). Credentials inside an address are removed.
 */
export const MlflowInUseSchema = z.object({
  uri: z.string(),
  source: z.enum(['settings', 'environment', 'config']),
})

/** What {@link MlflowInUseSchema} describes. */
export type MlflowInUse = z.infer<typeof MlflowInUseSchema>

/** MLflow settings as the renderer sees them. */
export const MlflowAccountViewSchema = z.object({
  configured: z.boolean(),
  /** The server saved for this app, or null: the workspace's tracking URI is used (with the saved login). */
  url: z.string().nullable(),
  auth: MlflowAuthModeSchema,
  username: z.string().nullable(),
  hasSecret: z.boolean(),
  /** The open workspace's `tracking.uri` (`wms.config.json`), or null when it cannot be read. */
  workspaceUri: z.string().nullable(),
  /** What is read now; null when the open workspace cannot be read. */
  inUse: MlflowInUseSchema.nullable(),
})

/** Everything Settings shows about accounts. */
export const AccountsViewSchema = z.object({
  storage: SecretStorageInfoSchema,
  github: GitHubAccountViewSchema,
  s3: S3AccountViewSchema,
  mlflow: MlflowAccountViewSchema,
})

/** What `accounts:get` answers. */
export type AccountsView = z.infer<typeof AccountsViewSchema>

/** A secret field: absent keeps the stored secret, `null` forgets it, a string replaces it (never empty). */
const SecretInput = z.string().min(1).max(4096).nullable().optional()

/** An `http(s)://` URL (the only schemes the app talks to). */
const HttpUrl = z
  .string()
  .trim()
  .max(2048)
  .refine((value) => /^https?:\/\/[^\s/]+/i.test(value), 'must be an http:// or https:// URL')

/** `accounts:save-s3`: the S3 settings; the secret key is kept when omitted. */
export const SaveS3RequestSchema = z
  .object({
    mode: S3CredentialModeSchema,
    profile: z.string().trim().max(128).optional(),
    accessKeyId: z.string().trim().max(128).optional(),
    secretAccessKey: SecretInput,
    region: z
      .string()
      .trim()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must look like us-east-1'),
    bucket: z
      .string()
      .trim()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be 3–63 lowercase letters, digits, dots or hyphens'),
    endpoint: HttpUrl.optional(),
    forcePathStyle: z.boolean().default(false),
  })
  .strict()

/**
 * `accounts:save-mlflow`: the tracking server — an address for this app, or null for the workspace's tracking URI —
 * and how to log in; secrets kept when omitted.
 */
export const SaveMlflowRequestSchema = z
  .object({
    url: HttpUrl.nullable(),
    auth: MlflowAuthModeSchema,
    token: SecretInput,
    username: z.string().trim().max(256).optional(),
    password: SecretInput,
  })
  .strict()

/** `accounts:save-github`: where GitHub is, and the OAuth App the device flow signs in with. */
export const SaveGitHubRequestSchema = z
  .object({
    apiUrl: HttpUrl.optional(),
    webUrl: HttpUrl.optional(),
    oauthClientId: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'is not an OAuth App client ID')
      .nullable()
      .optional(),
  })
  .strict()

/** What went wrong when a connection test failed, as precisely as the answer allows. */
export const CONNECTION_PROBLEMS = [
  'not-configured',
  'dns',
  'refused',
  'timeout',
  'tls',
  'unauthorized',
  'forbidden',
  'missing-scope',
  'bucket-missing',
  'wrong-region',
  'not-mlflow',
  'unexpected-answer',
] as const

/** The result of a "test connection": what works, or exactly what does not and what to do. */
export const ConnectionTestResultSchema = z.object({
  service: z.enum(ACCOUNT_SERVICES),
  ok: z.boolean(),
  /** One line: "Connected as octocat (scopes repo, workflow)" or what failed. */
  summary: z.string(),
  problem: z.enum(CONNECTION_PROBLEMS).nullable(),
  /** What to do about it. */
  hint: z.string().nullable(),
  /** Further facts the test learned (server version, region, experiment count). */
  details: z.array(z.string()),
  elapsedMs: z.number().nonnegative(),
})

/** What `accounts:test` answers. */
export type ConnectionTestResult = z.infer<typeof ConnectionTestResultSchema>

/** A kind of connection problem. */
export type ConnectionProblem = (typeof CONNECTION_PROBLEMS)[number]

/** The GitHub scopes the app needs: push data branches and open PRs (`repo`), read and run workflows (`workflow`). */
export const REQUIRED_GITHUB_SCOPES = ['repo', 'workflow'] as const

/**
 * The required scopes a classic token lacks, given its `X-OAuth-Scopes`. `repo` is satisfied by itself only;
 * `workflow` by itself. Fine-grained tokens (no header) report nothing missing here: GitHub checks them per call.
 */
export function missingGitHubScopes(scopes: readonly string[] | null): string[] {
  if (scopes === null) return []
  return REQUIRED_GITHUB_SCOPES.filter((scope) => !scopes.includes(scope))
}

/** A workspace the app can open: where it is and what it is called. */
export const WorkspaceRefSchema = z.object({ root: z.string(), name: z.string(), isDemo: z.boolean() })

/** What is running in the open workspace: a switch stops it, so Settings asks first. */
export const WorkspaceActivitySchema = z.object({
  /** The data branch the local pipeline runner is running now. */
  pipelineRun: z.string().nullable(),
  /** A submission being committed or pushed. */
  submitting: z.boolean(),
  /** Staged pairs waiting for (or in) a QA pass. */
  qaPending: z.number().int().nonnegative(),
})

/** What `settings:get-workspaces` answers: the open workspace, recent ones, and what is running. */
export const WorkspacesViewSchema = z.object({
  current: WorkspaceRefSchema,
  recent: z.array(WorkspaceRefSchema),
  activity: WorkspaceActivitySchema,
})

/** What `settings:get-workspaces` answers. */
export type WorkspacesView = z.infer<typeof WorkspacesViewSchema>

/** What is running in a workspace (see {@link WorkspaceActivitySchema}). */
export type WorkspaceActivity = z.infer<typeof WorkspaceActivitySchema>

/** An absolute folder path from the renderer (checked again in main). */
const FolderPath = z.string().trim().min(1).max(4096)

/** Requests of the workspace channels. */
export const OpenWorkspaceRequestSchema = z
  .object({
    path: FolderPath,
    /** Stop a running pipeline run (recorded as interrupted, resumable) instead of refusing to switch. */
    stopRunning: z.boolean().default(false),
  })
  .strict()

/** `settings:create-workspace`: a new workspace in an empty (or missing) folder, as `training-runner init` makes it. */
export const CreateWorkspaceRequestSchema = z
  .object({
    path: FolderPath,
    name: z.string().trim().min(1).max(100).optional(),
    runner: z.enum(['local', 'github-actions']).default('local'),
    stopRunning: z.boolean().default(false),
  })
  .strict()

/** `settings:clone-workspace`: clone a repository into a new folder and open it. */
export const CloneWorkspaceRequestSchema = z
  .object({
    url: z
      .string()
      .trim()
      .min(1)
      .max(2048)
      .refine(
        (value) => /^(https?:\/\/|ssh:\/\/|git@[^:]+:|file:\/\/|\/)/i.test(value) && !/\s/.test(value),
        'must be an https://, ssh://, git@host: or local repository address',
      ),
    path: FolderPath,
    stopRunning: z.boolean().default(false),
  })
  .strict()
