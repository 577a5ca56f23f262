import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  startGitHubTestServer,
  TEST_TOKEN,
  type GitHubTestServer,
} from '../../../test/github-test-server/github-test-server.js'
import { createGitHubStatusClient } from './status-client.js'
import { publishBranchName } from './publish-branch.js'

const BRANCH = 'data/20260101-120000'
const SHA = 'a'.repeat(40)

let server: GitHubTestServer

beforeEach(async () => {
  server = await startGitHubTestServer()
})

afterEach(async () => {
  server.assertNoViolations()
  await server.close()
})

function client(token = TEST_TOKEN) {
  return createGitHubStatusClient({
    repo: 'acme/water-meters',
    token,
    baseUrl: server.url,
    writeSpacingMs: 0,
    serverErrorRetries: 0,
  })
}

function seedRun(status: 'in_progress' | 'completed') {
  return server.repository.addRun({
    branch: BRANCH,
    headSha: SHA,
    status,
    conclusion: status === 'completed' ? 'failure' : null,
    jobs: [
      {
        name: 'QA',
        steps: [
          { name: 'Set up job', seconds: 2 },
          { name: 'Merge and QA', seconds: 30 },
        ],
      },
      {
        name: 'Train on the GPU host',
        status,
        conclusion: status === 'completed' ? 'failure' : null,
        steps: [
          { name: 'Set up job', seconds: 3 },
          status === 'completed'
            ? { name: 'Train', conclusion: 'failure', seconds: 120 }
            : { name: 'Train', status: 'in_progress' },
        ],
      },
    ],
  })
}

describe('GitHub status client', () => {
  it('lists a branch’s runs with jobs, steps, timing and log links, and the pipeline’s PR with its checks', async () => {
    const runId = seedRun('completed')
    server.repository.setBranch(publishBranchName(BRANCH), SHA)
    server.repository.pulls.push({
      number: 7,
      title: 'data: add 3 new training images (model improved)',
      body: 'report',
      head: publishBranchName(BRANCH),
      headSha: SHA,
      base: 'main',
      state: 'open',
      labels: ['data-update'],
      mergedAt: null,
      mergeCommitSha: null,
      autoMerge: null,
    })
    server.repository.setStatus(SHA, 'wms/pipeline', 'success')

    const status = await client().branchStatus(BRANCH)

    expect(status.runs).toHaveLength(1)
    const run = status.runs[0]
    expect(run?.id).toBe(runId)
    expect(run?.conclusion).toBe('failure')
    const train = run?.jobs.find((job) => job.name === 'Train on the GPU host')
    expect(train?.steps.map((step) => [step.name, step.conclusion, step.seconds])).toEqual([
      ['Set up job', 'success', 3],
      ['Train', 'failure', 120],
    ])
    expect(train?.steps[1]?.logUrl).toBe(`${train?.logUrl ?? ''}#step:2:1`)
    expect(status.pullRequest).toMatchObject({
      number: 7,
      state: 'open',
      labels: ['data-update'],
      checksState: 'success',
      checks: [{ kind: 'status', name: 'wms/pipeline', status: 'success' }],
    })
    expect(status.rateLimit?.limit).toBe(5000)
  })

  it('polls an idle branch with conditional requests only: every answer 304, nothing counted', async () => {
    seedRun('completed')
    const status = client()
    await status.branchStatus(BRANCH)
    const counted = server.countedRequests()
    const before = status.stats()

    for (let poll = 0; poll < 3; poll += 1) await status.branchStatus(BRANCH)

    const after = status.stats()
    // Runs list + PR lookup per poll; the finished run's jobs are not asked again.
    expect(after.requests - before.requests).toBe(6)
    expect(after.notModified - before.notModified).toBe(6)
    expect(server.countedRequests()).toBe(counted)
  })

  it('asks again for the jobs of a running run, and sees its steps move', async () => {
    const runId = seedRun('in_progress')
    const status = client()
    const first = await status.workflowRuns(BRANCH)
    expect(first[0]?.jobs[1]?.steps[1]).toMatchObject({ status: 'in_progress', conclusion: null, seconds: null })

    server.repository.updateRun(runId, (run) => {
      run.status = 'completed'
      run.conclusion = 'success'
      const job = run.jobs[1]
      if (job !== undefined) {
        job.status = 'completed'
        job.conclusion = 'success'
        job.steps[1] = { name: 'Train', seconds: 90 }
      }
    })
    const second = await status.workflowRuns(BRANCH)
    expect(second[0]?.jobs[1]?.steps[1]).toMatchObject({ status: 'completed', conclusion: 'success', seconds: 90 })
  })

  it('names the permission a token lacks', async () => {
    await server.close()
    server = await startGitHubTestServer({ tokens: { narrow: { pull_requests: 'read' } } })
    await expect(client('narrow').workflowRuns(BRANCH)).rejects.toMatchObject({
      code: 'github/permission-denied',
      message: expect.stringContaining('actions: read') as string,
    })
  })

  it('waits for a secondary rate limit and then succeeds', async () => {
    seedRun('completed')
    server.inject({
      operationId: 'actions/list-workflow-runs-for-repo',
      status: 403,
      headers: { 'retry-after': '1' },
      body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' },
    })
    const started = Date.now()
    const runs = await client().workflowRuns(BRANCH)
    expect(runs).toHaveLength(1)
    expect(Date.now() - started).toBeGreaterThanOrEqual(900)
  })
})
