import { execFileSync } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  startGitHubTestServer,
  TEST_TOKEN,
  type GitHubTestServer,
  type GitHubTestServerOptions,
} from '../../../test/github-test-server/github-test-server.js'
import { gitEnv } from '../../../test/github-test-server/git-env.js'
import { createGitHubClient } from './github-client.js'
import { publishPullRequest, type PublishPullRequestOptions } from './pull-request-publisher.js'

/** The PR half of publishing, against the GitHub test server backed by a real bare repository. */

const DATA = 'data/20260101-120000'
const HEAD = `wms/publish/${DATA}`
const MARKER = `Data-Branch: ${DATA} ${'d'.repeat(40)}`

let dir: string
let origin: string
let server: GitHubTestServer
let headSha: string

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: gitEnv(), encoding: 'utf8' }).trim()
}

/** origin with main, the data branch (raw files) and the publish branch (one commit on main: the .dvc file). */
async function makeRepository(): Promise<void> {
  dir = await mkdtemp(path.join(tmpdir(), 'wms-gh-publish-'))
  origin = path.join(dir, 'origin.git')
  const work = path.join(dir, 'work')
  git(dir, 'init', '--quiet', '--bare', '--initial-branch=main', origin)
  git(dir, 'clone', '--quiet', origin, work)
  await writeFile(path.join(work, 'README.md'), 'dataset\n')
  git(work, 'add', '.')
  git(work, 'commit', '--quiet', '-m', 'start')
  git(work, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main')
  git(work, 'checkout', '--quiet', '-b', 'data')
  await writeFile(path.join(work, 'raw.jpg'), 'raw image')
  git(work, 'add', '.')
  git(work, 'commit', '--quiet', '-m', 'new pairs')
  git(work, 'push', '--quiet', 'origin', `HEAD:refs/heads/${DATA}`)
  git(work, 'checkout', '--quiet', 'main')
  await writeFile(path.join(work, 'images.dvc'), 'outs: [md5: abc.dir]\n')
  git(work, 'add', '.')
  git(work, 'commit', '--quiet', '-m', `data: add 3 new training images (model improved)\n\n${MARKER}`)
  headSha = git(work, 'rev-parse', 'HEAD')
  git(work, 'push', '--quiet', 'origin', `HEAD:refs/heads/${HEAD}`)
}

async function start(options: GitHubTestServerOptions = {}): Promise<void> {
  server = await startGitHubTestServer({ gitDir: origin, ...options })
}

function options(change: Partial<PublishPullRequestOptions> = {}): PublishPullRequestOptions {
  return {
    head: HEAD,
    headSha,
    base: 'main',
    title: 'data: add 3 new training images (model improved)',
    body: '## report',
    labels: ['data-update', 'model-improved'],
    commitTitle: 'data: add 3 new training images (model improved)',
    commitMessage: MARKER,
    merge: 'squash',
    statusDescription: 'Gate passed',
    targetUrl: 'https://github.test/acme/water-meters/actions/runs/1',
    deleteBranches: [HEAD, DATA],
    ...change,
  }
}

function client(token = TEST_TOKEN) {
  return createGitHubClient({
    repo: 'acme/water-meters',
    token,
    baseUrl: server.url,
    writeSpacingMs: 0,
    serverErrorRetries: 0,
  })
}

beforeEach(async () => {
  await makeRepository()
})

afterEach(async () => {
  server.assertNoViolations()
  await server.close()
  await rm(dir, { recursive: true, force: true })
})

describe('publishing through a pull request', () => {
  it('improved: opens the PR, labels it, sets the status, squash-merges it and deletes both branches', async () => {
    await start()
    const published = await publishPullRequest(client(), options())

    expect(published).toMatchObject({ number: 1, merged: true, autoMerge: false, deletedBranches: [HEAD, DATA] })
    const pull = server.repository.pulls[0]
    expect(pull?.title).toBe('data: add 3 new training images (model improved)')
    expect(pull?.labels).toEqual(['data-update', 'model-improved'])
    expect(server.repository.statuses).toMatchObject([{ sha: headSha, context: 'wms/pipeline', state: 'success' }])
    // The squash commit is on main in the real repository: the publish commit's tree, the marker in its message.
    const main = git(origin, 'rev-parse', 'refs/heads/main')
    expect(published.mergeCommit).toBe(main)
    expect(git(origin, 'rev-parse', `${main}^{tree}`)).toBe(git(origin, 'rev-parse', `${headSha}^{tree}`))
    expect(git(origin, 'log', '-1', '--format=%B', main)).toContain(MARKER)
    expect(git(origin, 'for-each-ref', '--format=%(refname)', 'refs/heads')).toBe('refs/heads/main')
    expect(server.requests.map((request) => request.operationId)).toEqual([
      'pulls/list',
      'pulls/create',
      'issues/add-labels',
      'repos/create-commit-status',
      'pulls/merge',
      'git/delete-ref',
      'git/delete-ref',
    ])

    // A rerun (the job retried) finds the merged PR: no second PR, no second merge.
    const again = await publishPullRequest(client(), options())
    expect(again).toMatchObject({ number: 1, merged: true, mergeCommit: main, deletedBranches: [] })
    expect(server.repository.pulls).toHaveLength(1)
  })

  it('a data branch pushed again after its merge gets a new PR, not the old merged one', async () => {
    await start()
    await publishPullRequest(client(), options())
    // The next push of the same branch name: a new publish commit on the new main, the same publish branch.
    const work = path.join(dir, 'work')
    git(work, 'fetch', '--quiet', 'origin', 'main')
    git(work, 'checkout', '--quiet', '--detach', 'origin/main')
    await writeFile(path.join(work, 'images.dvc'), 'outs: [md5: def.dir]\n')
    git(work, 'commit', '--quiet', '-am', `data: add 2 new training images (model improved)\n\n${MARKER}`)
    const second = git(work, 'rev-parse', 'HEAD')
    git(work, 'push', '--quiet', 'origin', `HEAD:refs/heads/${HEAD}`)

    const published = await publishPullRequest(client(), options({ headSha: second, deleteBranches: [HEAD] }))
    expect(published).toMatchObject({ number: 2, merged: true })
    expect(git(origin, 'rev-parse', 'refs/heads/main^{tree}')).toBe(git(origin, 'rev-parse', `${second}^{tree}`))
  })

  it('updates the open PR of an earlier run instead of opening another', async () => {
    await start({ requiredContexts: ['ci'] })
    await expect(publishPullRequest(client(), options())).rejects.toMatchObject({ code: 'github/rejected' })
    server.repository.setStatus(headSha, 'ci', 'success')
    const published = await publishPullRequest(client(), options({ body: '## report, second run' }))
    expect(published.merged).toBe(true)
    expect(server.repository.pulls).toHaveLength(1)
    expect(server.repository.pulls[0]?.body).toBe('## report, second run')
  })

  it('auto-merge: enabled through GraphQL while a required check runs; GitHub merges when it passes', async () => {
    await start({ requiredContexts: ['ci'] })
    const published = await publishPullRequest(client(), options({ merge: 'auto' }))
    expect(published).toMatchObject({ merged: false, autoMerge: true })
    expect(server.repository.pulls[0]?.state).toBe('open')
    expect(server.requests.some((request) => request.operationId === 'graphql')).toBe(true)

    server.repository.setStatus(headSha, 'ci', 'success')
    expect(server.repository.pulls[0]?.mergedAt).not.toBeNull()
  })

  it('auto-merge on a PR that can merge now: merges directly', async () => {
    await start()
    const published = await publishPullRequest(client(), options({ merge: 'auto' }))
    expect(published).toMatchObject({ merged: true, autoMerge: false })
  })

  it('rate limited: waits for the reset and succeeds', async () => {
    await start()
    const reset = Math.floor(Date.now() / 1000) + 1
    server.inject({
      operationId: 'pulls/create',
      status: 403,
      headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset) },
      body: {
        message: 'API rate limit exceeded for installation ID 1.',
        documentation_url: 'https://docs.github.com/rest',
      },
    })
    const waits: number[] = []
    const throttled = createGitHubClient({
      repo: 'acme/water-meters',
      token: TEST_TOKEN,
      baseUrl: server.url,
      writeSpacingMs: 0,
      onRateLimitWait: (wait) => waits.push(wait.seconds),
    })
    const started = Date.now()
    const published = await publishPullRequest(throttled, options())
    expect(published.merged).toBe(true)
    expect(waits).toHaveLength(1)
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
  })

  it('a token without pull-requests: write gets an error that names the permission', async () => {
    await start({ tokens: { readonly: { pull_requests: 'read', contents: 'write', statuses: 'write' } } })
    const failure = publishPullRequest(client('readonly'), options())
    await expect(failure).rejects.toMatchObject({ code: 'github/permission-denied' })
    await expect(failure).rejects.toThrow(/lacks the permission pull-requests: write/)
    expect(git(origin, 'rev-parse', 'refs/heads/main')).not.toBe(headSha)
  })
})
