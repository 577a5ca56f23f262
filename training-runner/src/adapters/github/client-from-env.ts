import { WmsError } from '@wms/shared/errors'
import { createGitHubClient, type GitHubClient, type RateLimitWait } from './github-client.js'

/**
 * The GitHub client a pipeline step makes from its environment — in a workflow: `GITHUB_TOKEN` (the job's token or
 * an app token), `GITHUB_REPOSITORY`, `GITHUB_API_URL` — falling back to `github.repo` of wms.config.json.
 */
export function gitHubClientFromEnv(
  env: NodeJS.ProcessEnv,
  configuredRepo: string | undefined,
  onRateLimitWait?: (wait: RateLimitWait) => void,
): GitHubClient {
  const repo = env.GITHUB_REPOSITORY ?? configuredRepo
  if (repo === undefined || repo === '') {
    throw new WmsError('usage/invalid-arguments', 'No GitHub repository to publish to.', {
      hint: 'Set github.repo (owner/name) in wms.config.json, or run inside GitHub Actions (GITHUB_REPOSITORY).',
    })
  }
  const token = env.GITHUB_TOKEN ?? env.GH_TOKEN
  if (token === undefined || token === '') {
    throw new WmsError('github/auth-failed', 'GITHUB_TOKEN is not set, so the pipeline cannot talk to GitHub.', {
      hint: 'In the workflow pass `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}` (or the app token) to the step; locally export a token with pull-requests, contents and statuses write.',
    })
  }
  const spacing = Number(env.WMS_GITHUB_WRITE_SPACING_MS)
  return createGitHubClient({
    repo,
    token,
    ...(env.GITHUB_API_URL === undefined || env.GITHUB_API_URL === '' ? {} : { baseUrl: env.GITHUB_API_URL }),
    ...(Number.isFinite(spacing) && env.WMS_GITHUB_WRITE_SPACING_MS !== undefined ? { writeSpacingMs: spacing } : {}),
    ...(onRateLimitWait === undefined ? {} : { onRateLimitWait }),
  })
}

/** The link to the current workflow run, when inside one. */
export function workflowRunUrl(env: NodeJS.ProcessEnv): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = env
  if (server === undefined || repo === undefined || run === undefined) return undefined
  return `${server}/${repo}/actions/runs/${run}`
}
