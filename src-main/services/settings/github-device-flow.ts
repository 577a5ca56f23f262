import { WmsError } from '@wms/shared/errors'
import { REQUIRED_GITHUB_SCOPES } from '@wms/shared/settings/accounts'
import { hostOf, networkProblem } from './network-problem.js'

/**
 * GitHub's OAuth device flow (https://docs.github.com/apps/oauth-apps/building-oauth-apps/authorizing-oauth-apps#device-flow):
 * the app asks for a user code, the user enters it at github.com/login/device, and the app polls until GitHub hands
 * out a token. It needs an OAuth App's client ID with "Enable Device Flow" ticked (no client secret: the flow is
 * meant for apps that cannot keep one).
 */

/** What the user needs to finish the sign-in in a browser. */
export interface DeviceCode {
  deviceCode: string
  userCode: string
  verificationUri: string
  expiresAt: number
  intervalMs: number
}

/** How a poll ended. */
export type DevicePoll =
  | { state: 'pending'; intervalMs: number }
  | { state: 'token'; token: string }
  | { state: 'denied' | 'expired' | 'failed'; message: string }

async function postForm(url: string, fields: Record<string, string>, timeoutMs: number): Promise<unknown> {
  let response: Response
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    })
  } catch (thrown) {
    const report = networkProblem(thrown, hostOf(url), 'GitHub')
    throw new WmsError(
      'accounts/rejected',
      report?.summary ?? `GitHub cannot be reached: ${(thrown as Error).message}`,
      {
        hint: report?.hint ?? 'Check the GitHub address in Settings and your network.',
        retryable: true,
      },
    )
  }
  const text = await response.text()
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new WmsError(
      'accounts/rejected',
      `GitHub's device-flow endpoint ${url} answered HTTP ${String(response.status)} without JSON.`,
      { hint: 'Check the GitHub web address in Settings (https://github.com, or your GitHub Enterprise host).' },
    )
  }
}

/** Asks GitHub for a device code (scopes `repo workflow`). */
export async function requestDeviceCode(webUrl: string, clientId: string, timeoutMs = 15_000): Promise<DeviceCode> {
  const url = `${webUrl.replace(/\/+$/, '')}/login/device/code`
  const answer = (await postForm(url, { client_id: clientId, scope: REQUIRED_GITHUB_SCOPES.join(' ') }, timeoutMs)) as {
    device_code?: string
    user_code?: string
    verification_uri?: string
    expires_in?: number
    interval?: number
    error?: string
    error_description?: string
  }
  if (typeof answer.device_code !== 'string' || typeof answer.user_code !== 'string') {
    const reason = answer.error_description ?? answer.error ?? 'no device code in the answer'
    throw new WmsError(
      'accounts/rejected',
      `GitHub did not start the device flow for client ID ${clientId}: ${reason}.`,
      {
        hint:
          answer.error === 'device_flow_disabled'
            ? 'Tick "Enable Device Flow" in the OAuth App’s settings on GitHub.'
            : 'Check the OAuth App client ID in Settings (GitHub → Settings → Developer settings → OAuth Apps), or sign in with a token.',
      },
    )
  }
  return {
    deviceCode: answer.device_code,
    userCode: answer.user_code,
    verificationUri: answer.verification_uri ?? `${webUrl.replace(/\/+$/, '')}/login/device`,
    expiresAt: Date.now() + (answer.expires_in ?? 900) * 1000,
    intervalMs: (answer.interval ?? 5) * 1000,
  }
}

/** Polls once for the token; `slow_down` makes the interval longer, as GitHub asks. */
export async function pollDeviceToken(
  webUrl: string,
  clientId: string,
  code: DeviceCode,
  timeoutMs = 15_000,
): Promise<DevicePoll> {
  const url = `${webUrl.replace(/\/+$/, '')}/login/oauth/access_token`
  const answer = (await postForm(
    url,
    { client_id: clientId, device_code: code.deviceCode, grant_type: 'urn:ietf:params:oauth:grant-type:device_code' },
    timeoutMs,
  )) as { access_token?: string; error?: string; error_description?: string; interval?: number }
  if (typeof answer.access_token === 'string' && answer.access_token !== '') {
    return { state: 'token', token: answer.access_token }
  }
  switch (answer.error) {
    case 'authorization_pending':
      return { state: 'pending', intervalMs: code.intervalMs }
    case 'slow_down':
      return { state: 'pending', intervalMs: (answer.interval ?? code.intervalMs / 1000 + 5) * 1000 }
    case 'access_denied':
      return { state: 'denied', message: 'The sign-in was cancelled on GitHub.' }
    case 'expired_token':
      return { state: 'expired', message: 'The code expired before it was entered. Start again.' }
    default:
      return {
        state: 'failed',
        message: `GitHub refused the device-flow sign-in: ${answer.error_description ?? answer.error ?? 'no token in the answer'}.`,
      }
  }
}
