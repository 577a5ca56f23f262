import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { newRunRecord, type PipelineRunRecord } from '@wms/shared/pipeline/run-record'
import {
  startGitHubTestServer,
  TEST_TOKEN,
  type GitHubTestServer,
} from '../../../test/github-test-server/github-test-server.js'
import { createGitHubClient } from './github-client.js'
import { commentMarker, notifyPipelineOutcome } from './pipeline-comments.js'

const BRANCH = 'data/20260101-120000'
const COMMIT = 'c'.repeat(40)

let server: GitHubTestServer

beforeEach(async () => {
  server = await startGitHubTestServer()
})

afterEach(async () => {
  server.assertNoViolations()
  await server.close()
})

function client() {
  return createGitHubClient({
    repo: 'acme/water-meters',
    token: TEST_TOKEN,
    baseUrl: server.url,
    writeSpacingMs: 0,
    serverErrorRetries: 0,
  })
}

function record(verdict: PipelineRunRecord['verdict']): PipelineRunRecord {
  return { ...newRunRecord(BRANCH, COMMIT, Date.parse('2026-01-01T12:00:00Z')), status: 'done', verdict }
}

describe('pipeline comments', () => {
  it('not improved: one comment on the pushed commit with the verdict and what to do; no PR, no merge', async () => {
    const notImproved = record({
      outcome: 'not-improved',
      step: 'gate',
      headline: 'The candidate is not better than production v3.',
      details: ['Dice 0.81 ≤ 0.83'],
      action: 'Add more varied pairs and push again.',
    })
    const result = await notifyPipelineOutcome(client(), { branch: BRANCH, commit: COMMIT, record: notImproved })

    expect(result).toMatchObject({ action: 'created', target: { commit: COMMIT } })
    const [comment] = server.repository.comments
    expect(comment?.body).toContain('The candidate is not better than production v3.')
    expect(comment?.body).toContain('Add more varied pairs and push again.')
    expect(comment?.body).toContain(commentMarker(BRANCH, COMMIT))
    expect(server.repository.pulls).toEqual([])
    expect(server.requests.some((request) => request.operationId === 'pulls/merge')).toBe(false)

    // The workflow rerun edits the same comment.
    const again = await notifyPipelineOutcome(client(), { branch: BRANCH, commit: COMMIT, record: notImproved })
    expect(again.action).toBe('updated')
    expect(server.repository.comments).toHaveLength(1)
  })

  it('a step failed: the comment names the job and step and links its log', async () => {
    const runId = server.repository.addRun({
      branch: BRANCH,
      headSha: COMMIT,
      status: 'in_progress',
      jobs: [
        {
          name: 'QA',
          steps: [
            { name: 'Merge', seconds: 4 },
            { name: 'QA', seconds: 9 },
          ],
        },
        {
          name: 'Train on the GPU host',
          conclusion: 'failure',
          steps: [
            { name: 'Set up job' },
            { name: 'Train', conclusion: 'failure', seconds: 60 },
            { name: 'Upload the run record', conclusion: 'skipped' },
          ],
        },
        { name: 'Tell the pusher', status: 'in_progress', steps: [{ name: 'Comment', status: 'in_progress' }] },
      ],
    })
    const failed = record({
      outcome: 'failed',
      step: 'train',
      headline: 'The train step failed: out of GPU memory',
      details: [],
      action: 'Lower batchSize, then run `training-runner pipeline run --branch data/20260101-120000 --resume`.',
      code: 'training/out-of-memory',
    })
    const result = await notifyPipelineOutcome(client(), {
      branch: BRANCH,
      commit: COMMIT,
      record: failed,
      runId,
      runUrl: `https://github.test/acme/water-meters/actions/runs/${String(runId)}`,
    })

    const jobUrl = server.repository.runs[0]?.jobIds[1]
    const logUrl = `https://github.test/acme/water-meters/actions/runs/${String(runId)}/job/${String(jobUrl)}#step:2:1`
    expect(result.failedSteps).toEqual([{ job: 'Train on the GPU host', step: 'Train', logUrl }])
    const body = server.repository.comments[0]?.body ?? ''
    expect(body).toContain('The data pipeline failed at train')
    expect(body).toContain(`**Train on the GPU host** › **Train** failed — [log](${logUrl})`)
    expect(body).toContain('out of GPU memory')
  })

  it('the workflow broke before the pipeline wrote a record: still a comment, with the failed step', async () => {
    const runId = server.repository.addRun({
      branch: BRANCH,
      headSha: COMMIT,
      status: 'in_progress',
      jobs: [{ name: 'QA', conclusion: 'failure', steps: [{ name: 'Install', conclusion: 'failure' }] }],
    })
    const result = await notifyPipelineOutcome(client(), { branch: BRANCH, commit: COMMIT, record: null, runId })
    expect(result.action).toBe('created')
    expect(server.repository.comments[0]?.body).toMatch(/\*\*QA\*\* › \*\*Install\*\* failed/)
  })

  it('merged: nothing to say', async () => {
    const merged = record({
      outcome: 'merged',
      step: 'publish',
      headline: 'Merged',
      details: [],
      action: 'Nothing to do.',
    })
    const result = await notifyPipelineOutcome(client(), { branch: BRANCH, commit: COMMIT, record: merged })
    expect(result.action).toBe('none')
    expect(server.requests).toEqual([])
  })
})
