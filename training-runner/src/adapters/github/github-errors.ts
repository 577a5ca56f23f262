import { WmsError } from '@wms/shared/errors'

/**
 * GitHub's refusals turned into errors that say what happened and what to do. A missing permission names it in the
 * words the workflow's `permissions:` block uses (`pull-requests: write`), taken from GitHub's
 * `x-accepted-github-permissions` header when it sends one, else from the operation's own need.
 */

/** A permission as a workflow's `permissions:` block spells it, e.g. `pull-requests: write`. */
export type WorkflowPermission = `${string}: ${'read' | 'write'}`

interface RequestErrorLike {
  status: number
  message: string
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown }
}

function isRequestError(thrown: unknown): thrown is RequestErrorLike {
  return typeof thrown === 'object' && thrown !== null && typeof (thrown as { status?: unknown }).status === 'number'
}

/** `pull_requests=write,contents=write` (GitHub's header) → `pull-requests: write, contents: write`. */
function acceptedPermissions(header: string | number | undefined): string | undefined {
  if (typeof header !== 'string' || header.trim() === '') return undefined
  const alternatives = header.split(';').map((set) =>
    set
      .split(',')
      .map((pair) => pair.trim().replace('_', '-').replace('=', ': '))
      .join(', '),
  )
  return alternatives.join(' or ')
}

function githubMessage(error: RequestErrorLike): string {
  const data = error.response?.data as
    { message?: unknown; errors?: { message?: unknown; code?: unknown }[] } | undefined
  const parts = [typeof data?.message === 'string' ? data.message : error.message]
  for (const item of data?.errors ?? []) {
    if (typeof item.message === 'string') parts.push(item.message)
    else if (typeof item.code === 'string') parts.push(item.code)
  }
  return parts.join('; ')
}

/**
 * Runs one GitHub call; a failure becomes a {@link WmsError} naming `what` (e.g. "create the pull request for
 * data/…") and, for a 403 that is not a rate limit, the permission the token lacks.
 */
export async function githubCall<T>(what: string, permission: WorkflowPermission, call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (thrown) {
    throw explainGitHubError(thrown, what, permission)
  }
}

/** See {@link githubCall}. */
export function explainGitHubError(thrown: unknown, what: string, permission: WorkflowPermission): Error {
  if (!isRequestError(thrown)) return thrown instanceof Error ? thrown : new Error(String(thrown))
  const headers = thrown.response?.headers ?? {}
  const said = githubMessage(thrown)
  const status = thrown.status
  if (status === 401) {
    return new WmsError('github/auth-failed', `GitHub did not accept the token when asked to ${what}: ${said}`, {
      hint: 'Check the token: in a workflow pass `${{ secrets.GITHUB_TOKEN }}` (or the app token) as GITHUB_TOKEN; elsewhere renew it.',
      cause: thrown,
    })
  }
  const rateLimited =
    status === 429 ||
    headers['x-ratelimit-remaining'] === '0' ||
    headers['x-ratelimit-remaining'] === 0 ||
    /rate limit/i.test(said)
  if (rateLimited) {
    const reset = Number(headers['x-ratelimit-reset'] ?? 0)
    const when = reset > 0 ? ` (the limit resets at ${new Date(reset * 1000).toISOString()})` : ''
    return new WmsError('github/rate-limited', `GitHub's rate limit stopped the request to ${what}${when}.`, {
      hint: 'Wait for the reset and run again; polling clients should poll less often.',
      retryable: true,
      cause: thrown,
    })
  }
  if (status === 403) {
    const needed = acceptedPermissions(headers['x-accepted-github-permissions']) ?? permission
    return new WmsError(
      'github/permission-denied',
      `GitHub refused to ${what}: the token lacks the permission ${needed} (${said}).`,
      {
        hint: `Give the token ${needed}: in the workflow add it under \`permissions:\` of the job; for an app or a fine-grained token grant it in its settings.`,
        details: { permission: needed },
        cause: thrown,
      },
    )
  }
  if (status === 404) {
    return new WmsError('github/not-found', `GitHub found nothing when asked to ${what} (${said}).`, {
      hint: 'Check github.repo in wms.config.json, and that the token can see the repository (a token without access gets 404).',
      cause: thrown,
    })
  }
  if (status >= 500) {
    return new WmsError('github/unavailable', `GitHub failed to ${what}: HTTP ${String(status)} ${said}`, {
      hint: 'GitHub is having trouble; run again in a few minutes (https://www.githubstatus.com).',
      retryable: true,
      cause: thrown,
    })
  }
  return new WmsError('github/rejected', `GitHub rejected the request to ${what}: HTTP ${String(status)} ${said}`, {
    hint: 'Read GitHub’s reason above; the repository settings (branch protection, auto-merge) may not allow it.',
    details: { status },
    cause: thrown,
  })
}
