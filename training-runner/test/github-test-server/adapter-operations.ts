/**
 * Every REST operation the GitHub adapter calls (method + OpenAPI path). The committed OpenAPI subset holds exactly
 * these; the test server answers nothing else (an unknown path fails the test).
 */
export const ADAPTER_OPERATIONS = [
  // Publishing a run: the PR, its labels, the pipeline's commit status, the merge, the branches.
  { method: 'get', path: '/repos/{owner}/{repo}/pulls' },
  { method: 'post', path: '/repos/{owner}/{repo}/pulls' },
  { method: 'get', path: '/repos/{owner}/{repo}/pulls/{pull_number}' },
  { method: 'patch', path: '/repos/{owner}/{repo}/pulls/{pull_number}' },
  { method: 'put', path: '/repos/{owner}/{repo}/pulls/{pull_number}/merge' },
  { method: 'post', path: '/repos/{owner}/{repo}/issues/{issue_number}/labels' },
  { method: 'post', path: '/repos/{owner}/{repo}/statuses/{sha}' },
  { method: 'delete', path: '/repos/{owner}/{repo}/git/refs/{ref}' },
  // Telling the user: comments on the PR or on the commit (found again by their marker, so a rerun edits them).
  { method: 'get', path: '/repos/{owner}/{repo}/issues/{issue_number}/comments' },
  { method: 'post', path: '/repos/{owner}/{repo}/issues/{issue_number}/comments' },
  { method: 'patch', path: '/repos/{owner}/{repo}/issues/comments/{comment_id}' },
  { method: 'get', path: '/repos/{owner}/{repo}/commits/{commit_sha}/comments' },
  { method: 'post', path: '/repos/{owner}/{repo}/commits/{commit_sha}/comments' },
  { method: 'patch', path: '/repos/{owner}/{repo}/comments/{comment_id}' },
  // Status for the app: a branch's workflow runs, their jobs and steps, the PR's checks.
  { method: 'get', path: '/repos/{owner}/{repo}/actions/runs' },
  { method: 'get', path: '/repos/{owner}/{repo}/actions/runs/{run_id}/jobs' },
  { method: 'get', path: '/repos/{owner}/{repo}/commits/{ref}/check-runs' },
  { method: 'get', path: '/repos/{owner}/{repo}/commits/{ref}/status' },
] as const satisfies readonly { method: string; path: string }[]

/** One REST operation of the adapter. */
export type AdapterOperation = (typeof ADAPTER_OPERATIONS)[number]
