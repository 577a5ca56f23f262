import { WmsError } from '@wms/shared/errors'
import {
  missingGitHubScopes,
  type AccountsView,
  type ConnectionTestResult,
  type SaveGitHubRequestSchema,
} from '@wms/shared/settings/accounts'
import type { z } from 'zod'
import type { WorkspaceAccountsContext } from './accounts-service.js'
import { pollDeviceToken, requestDeviceCode, type DeviceCode } from './github-device-flow.js'
import { checkGitHubToken } from './github-identity.js'
import { failed, passed } from './network-problem.js'
import type { PrivateJsonFile } from './private-json.js'
import type { SecretStore } from './secret-store.js'
import type { StoredAccounts } from './stored-accounts.js'

/** The GitHub token with where it works and whose it is. */
export interface GitHubCredentials {
  token: string
  login: string
  apiUrl: string
  scopes: string[] | null
}

/** Options of {@link GitHubSignIn}. */
export interface GitHubSignInOptions {
  file: PrivateJsonFile<StoredAccounts>
  secrets: SecretStore
  env: NodeJS.ProcessEnv
  context: () => Promise<WorkspaceAccountsContext>
  onChanged: () => void
  minPollMs?: number
  timeoutMs?: number
}

/** `WMS_GITHUB_CLIENT_ID`: the OAuth App client ID for the device flow, when Settings has none. */
export const CLIENT_ID_ENV = 'WMS_GITHUB_CLIENT_ID'

interface DeviceFlowState {
  view: NonNullable<AccountsView['github']['deviceFlow']>
  timer: NodeJS.Timeout | undefined
  cancelled: boolean
}

/** GitHub sign-in: a pasted token or the device flow; the token goes to the secret store only. */
export class GitHubSignIn {
  private flow: DeviceFlowState | undefined

  constructor(private readonly options: GitHubSignInOptions) {}

  /** The GitHub part of the accounts view. */
  async view(stored: StoredAccounts): Promise<AccountsView['github']> {
    const envClientId = this.options.env[CLIENT_ID_ENV]
    const clientId =
      stored.github.oauthClientId ?? (envClientId === undefined || envClientId === '' ? null : envClientId)
    const account = stored.github.account
    const hasToken = account !== null && (await this.options.secrets.has('github.token'))
    return {
      apiUrl: stored.github.apiUrl,
      webUrl: stored.github.webUrl,
      oauthClientId: clientId,
      oauthClientIdSource:
        stored.github.oauthClientId !== null ? 'settings' : clientId !== null ? 'environment' : 'none',
      account:
        account === null || !hasToken
          ? null
          : {
              login: account.login,
              name: account.name,
              scopes: account.scopes ?? [],
              missingScopes: missingGitHubScopes(account.scopes),
              method: account.method,
              connectedAt: account.connectedAt,
            },
      deviceFlow: this.flow?.view ?? null,
    }
  }

  /** Saves GitHub's addresses and the client ID; a new address signs out (the token belongs to the old host). */
  async configure(request: z.output<typeof SaveGitHubRequestSchema>): Promise<void> {
    const before = (await this.options.file.read()).github
    const apiUrl = (request.apiUrl ?? before.apiUrl).replace(/\/+$/, '')
    const webUrl = (request.webUrl ?? before.webUrl).replace(/\/+$/, '')
    const moved = apiUrl !== before.apiUrl
    if (moved) await this.options.secrets.update({ 'github.token': null })
    await this.options.file.update((current) => ({
      ...current,
      github: {
        apiUrl,
        webUrl,
        oauthClientId: request.oauthClientId === undefined ? current.github.oauthClientId : request.oauthClientId,
        account: moved ? null : current.github.account,
      },
    }))
  }

  /** Checks the token with GitHub, then stores it; a token GitHub refuses is never stored. */
  async signInWithToken(token: string, method: 'token' | 'device-flow' = 'token'): Promise<void> {
    const { apiUrl } = (await this.options.file.read()).github
    const check = await checkGitHubToken({ apiUrl, token, ...this.timeout() })
    const identity = check.identity
    if (identity === undefined || (!check.ok && check.report.problem !== 'missing-scope')) {
      const report = check.ok ? undefined : check.report
      throw new WmsError('accounts/rejected', `The token was not saved. ${report?.summary ?? ''}`.trim(), {
        ...(report === undefined ? {} : { hint: report.hint }),
        retryable: ['dns', 'refused', 'timeout'].includes(report?.problem ?? ''),
      })
    }
    // A token without a needed scope is kept (it may be what the user has), and Settings says what it lacks.
    await this.options.secrets.update({ 'github.token': token })
    await this.options.file.update((current) => ({
      ...current,
      github: {
        ...current.github,
        account: {
          login: identity.login,
          name: identity.name,
          scopes: identity.scopes,
          method,
          connectedAt: Date.now(),
        },
      },
    }))
  }

  /** Asks GitHub for a user code and polls for the token in the background. */
  async startDeviceFlow(): Promise<void> {
    const stored = await this.options.file.read()
    const clientId = (await this.view(stored)).oauthClientId
    if (clientId === null) {
      throw new WmsError('accounts/not-configured', 'The device flow needs a GitHub OAuth App client ID.', {
        hint: `Enter one under GitHub in Settings (or set ${CLIENT_ID_ENV}); or paste a token instead.`,
      })
    }
    this.cancelDeviceFlow()
    const code = await requestDeviceCode(stored.github.webUrl, clientId, this.options.timeoutMs)
    const flow: DeviceFlowState = {
      view: {
        state: 'waiting',
        userCode: code.userCode,
        verificationUri: code.verificationUri,
        expiresAt: code.expiresAt,
      },
      timer: undefined,
      cancelled: false,
    }
    this.flow = flow
    this.schedule(flow, stored.github.webUrl, clientId, code, code.intervalMs)
  }

  private schedule(flow: DeviceFlowState, webUrl: string, clientId: string, code: DeviceCode, waitMs: number): void {
    const delay = Math.max(waitMs, this.options.minPollMs ?? 5_000)
    flow.timer = setTimeout(() => void this.poll(flow, webUrl, clientId, code), delay)
    flow.timer.unref()
  }

  private async poll(flow: DeviceFlowState, webUrl: string, clientId: string, code: DeviceCode): Promise<void> {
    if (isCancelled(flow)) return
    if (Date.now() > code.expiresAt) {
      this.endFlow(flow, 'expired', 'The code expired before it was entered. Start again.')
      return
    }
    try {
      const answer = await pollDeviceToken(webUrl, clientId, code, this.options.timeoutMs)
      if (isCancelled(flow)) return // cancelled (or replaced) while the request was out
      if (answer.state === 'pending') {
        this.schedule(flow, webUrl, clientId, code, answer.intervalMs)
        return
      }
      if (answer.state !== 'token') {
        this.endFlow(flow, answer.state, answer.message)
        return
      }
      await this.signInWithToken(answer.token, 'device-flow')
      if (this.flow === flow) this.flow = undefined
      this.options.onChanged()
    } catch (thrown) {
      this.endFlow(flow, 'failed', thrown instanceof Error ? thrown.message : String(thrown))
    }
  }

  private endFlow(flow: DeviceFlowState, state: 'denied' | 'expired' | 'failed', message: string): void {
    if (flow.cancelled) return
    flow.view = { ...flow.view, state, message }
    this.options.onChanged()
  }

  /** Stops polling and forgets the code. */
  cancelDeviceFlow(): void {
    if (this.flow === undefined) return
    this.flow.cancelled = true
    clearTimeout(this.flow.timer)
    this.flow = undefined
  }

  /** Forgets the token and who it belonged to. */
  async signOut(): Promise<void> {
    this.cancelDeviceFlow()
    await this.options.secrets.update({ 'github.token': null })
    await this.options.file.update((current) => ({ ...current, github: { ...current.github, account: null } }))
  }

  /** Checks the stored token: who, which scopes, and access to the workspace's repository. */
  async test(): Promise<ConnectionTestResult> {
    const started = Date.now()
    const credentials = await this.credentials(await this.options.file.read())
    if (credentials === undefined) {
      return failed(
        'github',
        {
          problem: 'not-configured',
          summary: 'Not signed in to GitHub.',
          hint: 'Sign in with the device flow or paste a token.',
        },
        started,
      )
    }
    const context = await this.options.context().catch(() => undefined)
    const check = await checkGitHubToken({
      apiUrl: credentials.apiUrl,
      token: credentials.token,
      repo: context?.githubRepo,
      ...this.timeout(),
    })
    if (!check.ok) return failed('github', check.report, started)
    const scopes = check.identity.scopes
    return passed(
      'github',
      `Connected as ${check.identity.login}${scopes === null ? ' (fine-grained token)' : `, scopes ${scopes.join(', ')}`}.`,
      check.repo === undefined ? ['no repository in wms.config.json to check'] : [`can push to ${check.repo}`],
      started,
    )
  }

  /** The stored token and whose it is, or `undefined` when not signed in. */
  async credentials(stored: StoredAccounts): Promise<GitHubCredentials | undefined> {
    const account = stored.github.account
    if (account === null) return undefined
    const token = await this.options.secrets.get('github.token')
    if (token === undefined) return undefined
    return { token, login: account.login, apiUrl: stored.github.apiUrl, scopes: account.scopes }
  }

  private timeout(): { timeoutMs?: number } {
    return this.options.timeoutMs === undefined ? {} : { timeoutMs: this.options.timeoutMs }
  }
}

// A function, not a property read: the flag changes while a poll awaits GitHub, which narrowing cannot see.
function isCancelled(flow: DeviceFlowState): boolean {
  return flow.cancelled
}
