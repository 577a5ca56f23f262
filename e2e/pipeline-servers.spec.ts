import type { Page, TestInfo } from '@playwright/test'
import { storeGitHubAccount } from '../src-main/test-support/stored-github-account.js'
import { expect, test } from './fixtures.js'
import { BRANCHES, MLFLOW_TOKEN, REPO, startSeededServers, TEST_TOKEN } from './github-mlflow-fixture.js'
import { startWebHostProcess } from './web-host-process.js'

/**
 * The Pipeline and Models areas on a workspace whose pipeline runs in GitHub Actions and records to an MLflow
 * server — the runner's test servers, seeded with two finished pipelines (one passed, promoted and merged through
 * its PR; one the gate rejected) — show the same states as on the demo's local runner (pipeline.spec.ts,
 * models.spec.ts). The GitHub account is stored as a sign-in leaves it; the MLflow login is saved in Settings
 * while the app runs, as a user would, and takes effect without a restart.
 */

async function shot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const file = testInfo.outputPath(`${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  await testInfo.attach(name, { path: file, contentType: 'image/png' })
}

test('against the GitHub and MLflow test servers, Pipeline and Models show the same states', async ({
  page,
  userData,
}, testInfo) => {
  const started = Date.now()
  const servers = await startSeededServers(userData)
  await storeGitHubAccount(userData, {
    apiUrl: servers.github.url,
    webUrl: 'https://github.test',
    token: TEST_TOKEN,
    login: 'wms-bot',
  })
  const host = await startWebHostProcess({ userData, workspace: servers.root })
  try {
    await page.goto(host.url)
    await page.getByRole('link', { name: 'Pipeline' }).click()
    const freshness = page.getByTestId('freshness')
    await expect(freshness).toContainText(`Live · GitHub Actions (${REPO.owner}/${REPO.name}) + MLflow`)
    const passed = page.locator(`[data-branch-timeline="${BRANCHES.passed}"]`)
    const rejected = page.locator(`[data-branch-timeline="${BRANCHES.rejected}"]`)
    // GitHub's side alone (MLflow refuses the app until the login is saved): the steps, the PR, no verdict yet.
    await page.locator(`[data-run="${BRANCHES.rejected}"]`).click()
    await expect(rejected.getByTestId('stage-word-training')).toHaveText('trained')
    await expect(rejected.getByTestId('stage-word-gate')).toHaveText('failed')
    await expect(rejected.getByTestId('stage-word-merged')).toHaveText('not merged')
    await expect(rejected.getByTestId('timeline-message')).toContainText('MLflow could not be read (')
    await expect(rejected.getByTestId('timeline-message')).toContainText('refused the credentials (HTTP 401)')
    await shot(page, testInfo, 'pipeline-before-mlflow-login')

    const versions = await servers.mlflowSeeded
    // Settings → MLflow: the team server (the workspace's, prefilled) with its token; the connection test reaches
    // it with the login.
    await page.getByRole('link', { name: 'Settings' }).click()
    await expect(page.getByLabel('Tracking server address')).toHaveValue(servers.mlflow.url)
    await page.getByLabel('Token', { exact: true }).check()
    await page.getByLabel('MLflow token').fill(MLFLOW_TOKEN)
    await page.getByRole('button', { name: 'Save MLflow settings' }).click()
    // The workspace's own server (prefilled): the login is saved for it, no address of this app's.
    await expect(page.getByTestId('mlflow-status')).toContainText(
      `read ${servers.mlflow.url}: the workspace’s tracking URI (wms.config.json), the team’s server that CI uses too. Login: token.`,
    )
    await page.getByRole('button', { name: 'Test MLflow connection' }).click()
    await expect(page.getByTestId('test-mlflow')).toContainText('Works')

    // The rejected run: the gate's verdict from MLflow, its reasons and per-image deltas against production.
    await page.getByRole('link', { name: 'Pipeline' }).click()
    await page.locator(`[data-run="${BRANCHES.rejected}"]`).click()
    // At once: saving the login makes the status source look again (not at its next 15 s interval).
    await expect(rejected.getByTestId('gate-result')).toContainText('rejected', { timeout: 5_000 })
    await expect(page.getByTestId('verdict-notices')).toContainText(`Gate rejected: ${BRANCHES.rejected}`)
    const word = (timeline: typeof passed, stage: string) => timeline.getByTestId(`stage-word-${stage}`)
    await expect(word(rejected, 'pushed')).toHaveText('pushed')
    await expect(word(rejected, 'merge-qa')).toHaveText('checked')
    await expect(word(rejected, 'training')).toHaveText('6 epochs')
    await expect(word(rejected, 'gate')).toHaveText('rejected')
    await expect(word(rejected, 'promotion')).toHaveText('not promoted')
    await expect(word(rejected, 'merged')).toHaveText('not merged')
    await expect(rejected.getByTestId('run-outcome')).toHaveText('not improved')
    await expect(rejected.getByTestId('timeline-message')).toHaveCount(0)
    await expect(rejected.getByRole('figure', { name: 'Loss per epoch' })).toBeVisible()
    const gate = rejected.getByTestId('gate-panel')
    await expect(gate.getByRole('row', { name: `Production (v${versions.passed})` })).toBeVisible()
    await expect(gate.getByRole('list').first()).toContainText(/Dice/)
    const thumbs = gate.locator('img.delta__thumb')
    await expect(thumbs.first()).toBeVisible()
    await expect
      .poll(() => thumbs.first().evaluate((image) => (image as HTMLImageElement).naturalWidth))
      .toBeGreaterThan(0)
    const rejectedInApp = (await rejected.getByTestId('submit-to-verdict').textContent()) ?? ''
    await shot(page, testInfo, 'pipeline-servers-rejected')

    // The passed run: trained, passed, promoted, and its PR merged.
    await page.locator(`[data-run="${BRANCHES.passed}"]`).click()
    await expect(passed.getByTestId('gate-result')).toContainText('passed')
    await expect(word(passed, 'training')).toHaveText('6 epochs')
    await expect(word(passed, 'gate')).toHaveText('passed')
    await expect(word(passed, 'promotion')).toHaveText(`promoted v${versions.passed}`)
    await expect(word(passed, 'merged')).toHaveText('PR merged')
    await expect(passed.getByTestId('run-outcome')).toHaveText('merged')
    await expect(
      passed.getByRole('link', { name: `Pull request #${String(servers.pullNumber)}` }).first(),
    ).toBeVisible()
    await expect(passed.getByRole('figure', { name: 'Loss per epoch' })).toBeVisible()
    const passedInApp = (await passed.getByTestId('submit-to-verdict').textContent()) ?? ''
    await shot(page, testInfo, 'pipeline-servers-passed')

    // Models: the registry's versions, which one is production (the passed pipeline's), its metrics and PR.
    await page.getByRole('link', { name: 'Models' }).click()
    await expect(page.getByTestId('models-production')).toContainText(
      `v${versions.passed} of water-meter-segmentation is production`,
    )
    const rows = page.getByTestId('models-versions').locator('tbody tr')
    await expect(rows).toHaveCount(2)
    await expect(rows.first()).toContainText('0.820')
    await expect(rows.first()).toContainText('production')
    await expect(rows.first()).toContainText(`PR #${String(servers.pullNumber)}`)
    await expect(rows.nth(1)).toContainText('0.740')
    await expect(page.getByTestId('models-chart').locator('.recharts-line')).toHaveCount(2)
    await expect(page.getByTestId('models-compare')).toContainText('+0.080')
    await shot(page, testInfo, 'models-servers')

    // Every request the app sent GitHub, and every answer, kept to GitHub's description; idle looks cost 304s.
    servers.github.assertNoViolations()
    expect(servers.github.requests.filter((request) => request.status === 401)).toEqual([])
    // The look after the login asked GitHub again conditionally: unchanged runs and PRs came back 304 (free).
    expect(servers.github.requests.filter((request) => request.notModified).length).toBeGreaterThan(0)
    expect(servers.mlflow.requests.some((request) => request.authorization === `Bearer ${MLFLOW_TOKEN}`)).toBe(true)
    testInfo.annotations.push({
      type: 'timing',
      description: `whole spec ${String(Date.now() - started)} ms; in the app: passed "${passedInApp}", rejected "${rejectedInApp}"`,
    })
  } finally {
    await host.stop()
    await servers.close()
    await testInfo.attach('web-host.log', { body: host.output(), contentType: 'text/plain' })
  }
})
