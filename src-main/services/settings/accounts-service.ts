import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import type {
  AccountService,
  AccountsView,
  ConnectionTestResult,
  SaveGitHubRequestSchema,
  SaveMlflowRequestSchema,
  SaveS3RequestSchema,
} from '@wms/shared/settings/accounts'
import type { z } from 'zod'
import { GitHubSignIn, type GitHubCredentials } from './github-sign-in.js'
import type { TrackingConfig } from '@wms/shared/config/workspace-config'
import { testMlflowConnection, type MlflowCredentials } from './mlflow-connection.js'
import { effectiveMlflow, mlflowInUse, withoutCredentials } from './mlflow-target.js'
import { failed } from './network-problem.js'
import { PrivateJsonFile } from './private-json.js'
import { maskKeyId, testS3Connection, type S3Credentials } from './s3-connection.js'
import type { SecretStore } from './secret-store.js'
import { emptyAccounts, StoredAccountsSchema, type StoredAccounts } from './stored-accounts.js'

/** What each service's credentials look like when main hands them to a client. */
export interface AccountCredentials {
  github: GitHubCredentials
  s3: S3Credentials
  mlflow: MlflowCredentials
}

/**
 * The main-side way to the user's accounts, for the services that talk to GitHub, S3 and MLflow (the Pipeline and
 * Models areas, issue 17a/17b): inject this, never read the files. `undefined` means the user has not set the
 * account up; a secret store that cannot be read throws `secrets/unreadable`.
 */
export interface CredentialsProvider {
  credentialsFor<K extends AccountService>(service: K): Promise<AccountCredentials[K] | undefined>
}

/** Facts about the open workspace the connection tests use (which repository, experiment, model). */
export interface WorkspaceAccountsContext {
  /** The open workspace's folder (a relative `file:` tracking URI is relative to it). */
  root: string
  githubRepo: string | undefined
  /** The workspace config's tracking settings: the team's MLflow, experiment and registered model. */
  tracking: TrackingConfig
  /** The workspace's S3 remote, to prefill the S3 form. */
  s3Remote: { bucket: string; region: string; endpoint?: string; forcePathStyle?: boolean } | undefined
}

/** Options of {@link AccountsService}. */
export interface AccountsServiceOptions {
  userDataDir: string
  secrets: SecretStore
  /** Sends `accounts:changed` (a device-flow sign-in ended). */
  onChanged: (view: AccountsView) => void
  /** The open workspace's facts. */
  context: () => Promise<WorkspaceAccountsContext>
  env?: NodeJS.ProcessEnv
  /** Shortest wait between two device-flow polls (GitHub asks for 5 s; tests use less). */
  minPollMs?: number
  timeoutMs?: number
}

type SaveS3 = z.output<typeof SaveS3RequestSchema>
type SaveMlflow = z.output<typeof SaveMlflowRequestSchema>
type SaveGitHub = z.output<typeof SaveGitHubRequestSchema>

/**
 * Accounts for GitHub, S3 and MLflow: settings in `<userData>/accounts.json`, secrets in the {@link SecretStore}.
 * Everything it answers the renderer is an {@link AccountsView}, which has no field a secret could go in.
 */
export class AccountsService implements CredentialsProvider {
  private readonly file: PrivateJsonFile<StoredAccounts>
  private readonly github: GitHubSignIn

  constructor(private readonly options: AccountsServiceOptions) {
    this.file = new PrivateJsonFile(
      path.join(options.userDataDir, 'accounts.json'),
      StoredAccountsSchema,
      emptyAccounts,
    )
    this.github = new GitHubSignIn({
      file: this.file,
      secrets: options.secrets,
      env: options.env ?? process.env,
      context: options.context,
      onChanged: () => void this.view().then(options.onChanged, () => undefined),
      ...(options.minPollMs === undefined ? {} : { minPollMs: options.minPollMs }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    })
  }

  /** What Settings shows. */
  async view(): Promise<AccountsView> {
    const stored = await this.file.read()
    const secrets = this.options.secrets
    const context = await this.options.context().catch(() => undefined)
    const remote = context?.s3Remote
    const env = this.options.env ?? process.env
    return {
      storage: { kind: secrets.kind, description: secrets.description, problem: await secrets.check() },
      github: await this.github.view(stored),
      s3: {
        configured: stored.s3 !== null,
        mode: stored.s3?.mode ?? 'default-chain',
        profile: stored.s3?.profile ?? null,
        accessKeyIdHint: stored.s3?.accessKeyIdHint ?? null,
        hasSecret: await secrets.has('s3.secretAccessKey'),
        region: stored.s3?.region ?? remote?.region ?? 'us-east-1',
        bucket: stored.s3?.bucket ?? remote?.bucket ?? '',
        endpoint: stored.s3?.endpoint ?? remote?.endpoint ?? null,
        forcePathStyle: stored.s3?.forcePathStyle ?? remote?.forcePathStyle ?? false,
      },
      mlflow: {
        configured: stored.mlflow !== null,
        url: stored.mlflow?.url ?? null,
        auth: stored.mlflow?.auth ?? 'none',
        username: stored.mlflow?.username ?? null,
        hasSecret: (await secrets.has('mlflow.token')) || (await secrets.has('mlflow.password')),
        workspaceUri: context === undefined ? null : withoutCredentials(context.tracking.uri),
        inUse: context === undefined ? null : mlflowInUse(stored.mlflow ?? undefined, context, env),
      },
    }
  }

  /** GitHub's addresses and the device flow's OAuth App client ID. */
  async saveGitHub(request: SaveGitHub): Promise<AccountsView> {
    await this.github.configure(request)
    return this.view()
  }

  /** Signs in with a pasted token (checked first; a refused token is not stored). */
  async signInWithToken(token: string): Promise<AccountsView> {
    await this.github.signInWithToken(token)
    return this.view()
  }

  /** Starts a device-flow sign-in; `accounts:changed` follows when it ends. */
  async startDeviceFlow(): Promise<AccountsView> {
    await this.github.startDeviceFlow()
    return this.view()
  }

  /** Stops waiting for a device-flow sign-in. */
  async cancelDeviceFlow(): Promise<AccountsView> {
    this.github.cancelDeviceFlow()
    return this.view()
  }

  /** Forgets an account and its secrets. */
  async signOut(service: AccountService): Promise<AccountsView> {
    if (service === 'github') await this.github.signOut()
    if (service === 's3') {
      await this.options.secrets.update({ 's3.accessKeyId': null, 's3.secretAccessKey': null })
      await this.file.update((current) => ({ ...current, s3: null }))
    }
    if (service === 'mlflow') {
      await this.options.secrets.update({ 'mlflow.token': null, 'mlflow.password': null })
      await this.file.update((current) => ({ ...current, mlflow: null }))
    }
    return this.view()
  }

  /** Stores S3 settings; keys only in mode `keys` (switching away forgets them). */
  async saveS3(request: SaveS3): Promise<AccountsView> {
    if (request.mode === 'profile' && (request.profile ?? '') === '') {
      throw new WmsError('accounts/rejected', 'Choose which AWS profile to use.', { hint: 'Type a profile name.' })
    }
    const keyId = request.mode === 'keys' ? (request.accessKeyId ?? '') : ''
    if (request.mode === 'keys') {
      if (!/^[A-Z0-9]{16,128}$/.test(keyId)) {
        throw new WmsError('accounts/rejected', 'The access key ID must be 16–128 capital letters and digits.', {
          hint: 'Copy it from the AWS console (IAM → Users → Security credentials), e.g. AKIA….',
        })
      }
      const hasSecret = await this.options.secrets.has('s3.secretAccessKey')
      if (request.secretAccessKey === null || (request.secretAccessKey === undefined && !hasSecret)) {
        throw new WmsError('accounts/rejected', 'Enter the secret access key that belongs to this access key ID.')
      }
    }
    await this.options.secrets.update(
      request.mode === 'keys'
        ? { 's3.accessKeyId': keyId, 's3.secretAccessKey': request.secretAccessKey }
        : { 's3.accessKeyId': null, 's3.secretAccessKey': null },
    )
    await this.file.update((current) => ({
      ...current,
      s3: {
        mode: request.mode,
        profile: request.mode === 'profile' ? (request.profile ?? null) : null,
        accessKeyIdHint: request.mode === 'keys' ? maskKeyId(keyId) : null,
        region: request.region,
        bucket: request.bucket,
        endpoint: request.endpoint ?? null,
        forcePathStyle: request.forcePathStyle,
      },
    }))
    return this.view()
  }

  /**
   * Stores the MLflow server for this app (null: the workspace's tracking URI) and its login; a token or password
   * only for its mode.
   */
  async saveMlflow(request: SaveMlflow): Promise<AccountsView> {
    const secrets = this.options.secrets
    if (request.auth === 'token' && request.token === null) {
      throw new WmsError('accounts/rejected', 'Enter the MLflow token.')
    }
    if (request.auth === 'token' && request.token === undefined && !(await secrets.has('mlflow.token'))) {
      throw new WmsError('accounts/rejected', 'Enter the MLflow token.')
    }
    if (request.auth === 'basic') {
      if ((request.username ?? '') === '') throw new WmsError('accounts/rejected', 'Enter the MLflow user name.')
      if (request.password === null || (request.password === undefined && !(await secrets.has('mlflow.password')))) {
        throw new WmsError('accounts/rejected', 'Enter the MLflow password.')
      }
    }
    await secrets.update({
      'mlflow.token': request.auth === 'token' ? request.token : null,
      'mlflow.password': request.auth === 'basic' ? request.password : null,
    })
    await this.file.update((current) => ({
      ...current,
      mlflow: {
        url: request.url === null ? null : request.url.replace(/\/+$/, ''),
        auth: request.auth,
        username: request.auth === 'basic' ? (request.username ?? null) : null,
      },
    }))
    return this.view()
  }

  /** Tests one stored connection. */
  async test(service: AccountService): Promise<ConnectionTestResult> {
    const started = Date.now()
    const notConfigured = (what: string): ConnectionTestResult =>
      failed(
        service,
        {
          problem: 'not-configured',
          summary: `${what} is not set up yet.`,
          hint: 'Fill in the form above and save it first.',
        },
        started,
      )
    if (service === 'github') return this.github.test()
    if (service === 's3') {
      const credentials = await this.credentialsFor('s3')
      return credentials === undefined ? notConfigured('S3') : testS3Connection(credentials, this.options.timeoutMs)
    }
    // The MLflow the Pipeline and Models read: the saved address, else the workspace's (a FileStore too).
    const credentials = await this.credentialsFor('mlflow')
    const context = await this.options.context()
    const env = this.options.env ?? process.env
    const { uri } = effectiveMlflow(credentials, context, env)
    return testMlflowConnection(
      { url: uri, auth: credentials?.auth, workspaceRoot: context.root, env },
      context.tracking,
      this.options.timeoutMs,
    )
  }

  async credentialsFor<K extends AccountService>(service: K): Promise<AccountCredentials[K] | undefined> {
    const found = await this.lookUp(service)
    return found as AccountCredentials[K] | undefined
  }

  private async lookUp(service: AccountService): Promise<AccountCredentials[AccountService] | undefined> {
    const stored = await this.file.read()
    const secrets = this.options.secrets
    if (service === 'github') return this.github.credentials(stored)
    if (service === 's3') {
      const s3 = stored.s3
      if (s3 === null) return undefined
      const base: S3Credentials = {
        region: s3.region,
        bucket: s3.bucket,
        forcePathStyle: s3.forcePathStyle,
        ...(s3.endpoint === null ? {} : { endpoint: s3.endpoint }),
      }
      if (s3.mode === 'profile' && s3.profile !== null) return { ...base, profile: s3.profile }
      if (s3.mode === 'keys') {
        const accessKeyId = await secrets.get('s3.accessKeyId')
        const secretAccessKey = await secrets.get('s3.secretAccessKey')
        if (accessKeyId !== undefined && secretAccessKey !== undefined) {
          return { ...base, credentials: { accessKeyId, secretAccessKey } }
        }
      }
      return base
    }
    const mlflow = stored.mlflow
    if (mlflow === null) return undefined
    if (mlflow.auth === 'token') {
      const token = await secrets.get('mlflow.token')
      return { url: mlflow.url, auth: token === undefined ? undefined : { kind: 'bearer', token } }
    }
    if (mlflow.auth === 'basic') {
      const password = await secrets.get('mlflow.password')
      return {
        url: mlflow.url,
        auth:
          password === undefined || mlflow.username === null
            ? undefined
            : { kind: 'basic', username: mlflow.username, password },
      }
    }
    return { url: mlflow.url, auth: undefined }
  }

  /** Stops a device-flow sign-in in progress. */
  dispose(): void {
    this.github.cancelDeviceFlow()
  }
}
