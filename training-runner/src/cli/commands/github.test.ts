import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { newRunRecord, runRecordName } from '@wms/shared/pipeline/run-record'
import {
  startGitHubTestServer,
  TEST_TOKEN,
  type GitHubTestServer,
} from '../../../test/github-test-server/github-test-server.js'
import { captureIo } from '../../../test/helpers/cli-capture.js'
import { useTempDirs } from '../../../test/helpers/temp-dir.js'
import { runCli } from '../main.js'

/** `training-runner github notify|status` as a workflow step calls them: options, environment, exit codes. */

const BRANCH = 'data/20260101-120000'
const COMMIT = 'e'.repeat(40)
const tempDir = useTempDirs()
let server: GitHubTestServer

beforeEach(async () => {
  server = await startGitHubTestServer()
})

afterEach(async () => {
  server.assertNoViolations()
  await server.close()
})

function actionsEnv(): NodeJS.ProcessEnv {
  return {
    GITHUB_TOKEN: TEST_TOKEN,
    GITHUB_REPOSITORY: 'acme/water-meters',
    GITHUB_API_URL: server.url,
    GITHUB_SERVER_URL: 'https://github.test',
    GITHUB_SHA: COMMIT,
    WMS_GITHUB_WRITE_SPACING_MS: '0',
  }
}

describe('training-runner github', () => {
  it('notify: reads the run record from the workspace and comments on the pushed commit, with --run-id from the env', async () => {
    const cwd = await tempDir()
    const record = {
      ...newRunRecord(BRANCH, COMMIT, 0),
      status: 'done' as const,
      verdict: {
        outcome: 'refused' as const,
        step: 'qa' as const,
        headline: 'QA found 2 errors in 1 pair.',
        details: ['a.png: mask is empty'],
        action: 'Fix or remove the pair and push again.',
      },
    }
    await mkdir(path.join(cwd, '.wms/pipeline'), { recursive: true })
    await writeFile(path.join(cwd, '.wms/pipeline', runRecordName(BRANCH)), JSON.stringify(record))
    const runId = server.repository.addRun({ branch: BRANCH, headSha: COMMIT, jobs: [] })
    const run = captureIo(cwd, { ...actionsEnv(), GITHUB_RUN_ID: String(runId) })

    expect(await runCli(['github', 'notify', '--branch', BRANCH], run.io)).toBe(0)

    expect(run.out()).toContain(`Commented on commit ${COMMIT.slice(0, 12)}`)
    const [comment] = server.repository.comments
    expect(comment?.on).toEqual({ commit: COMMIT })
    expect(comment?.body).toContain('QA found 2 errors in 1 pair.')
    expect(comment?.body).toContain(
      `[Workflow run](https://github.test/acme/water-meters/actions/runs/${String(runId)})`,
    )
  })

  it('notify without a token says what to set, and exits 1', async () => {
    const cwd = await tempDir()
    const run = captureIo(cwd, { ...actionsEnv(), GITHUB_TOKEN: '' })
    expect(await runCli(['github', 'notify', '--branch', BRANCH], run.io)).toBe(1)
    expect(run.err()).toContain('GITHUB_TOKEN is not set')
  })

  it('status: prints the runs, jobs and steps of a branch', async () => {
    const cwd = await tempDir()
    server.repository.addRun({
      branch: BRANCH,
      headSha: COMMIT,
      jobs: [{ name: 'Merge and QA', steps: [{ name: 'QA over the merged dataset', seconds: 12 }] }],
    })
    const run = captureIo(cwd, actionsEnv())
    expect(await runCli(['github', 'status', '--branch', BRANCH], run.io)).toBe(0)
    expect(run.out()).toContain('Merge and QA: success')
    expect(run.out()).toMatch(/QA over the merged dataset: success 12 ?s/)
    expect(run.out()).toContain('no pull request')
  })
})
