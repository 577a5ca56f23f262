import { readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Page } from '@playwright/test'
import { simpleGit } from 'simple-git'
import { createDemoWorkspace, writeSyntheticDataset } from 'training-runner'
import { expect, test } from './fixtures.js'
import { startWebHostProcess } from './web-host-process.js'

/**
 * The Pipeline area on the demo workspace: submit data, watch the branch's timeline advance through every stage
 * to the gate's verdict (passed: the first model), then submit more under a gate that asks for more than the
 * candidate can give (rejected: the reasons and the per-image deltas against production, with thumbnails).
 *
 * The demo's training is shrunk (8 base filters, 6 epochs) by a commit on its main, as a team would change its config, so
 * the two runs take seconds each instead of minutes.
 */

async function commitConfig(workspace: string, change: (config: Record<string, unknown>) => void, message: string) {
  const file = path.join(workspace, 'wms.config.json')
  const config = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
  change(config)
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`)
  const git = simpleGit(workspace)
  await git.add('wms.config.json')
  await git.commit(message)
  await git.push('origin', 'main')
}

/** Drops files on the Add data area as a user drags them from a file manager. */
async function dropFiles(page: Page, files: { name: string; file: string }[]): Promise<void> {
  const payload = await Promise.all(
    files.map(async (item) => ({ name: item.name, data: (await readFile(item.file)).toString('base64') })),
  )
  const transfer = await page.evaluateHandle((items) => {
    const data = new DataTransfer()
    for (const item of items) {
      const bytes = Uint8Array.from(atob(item.data), (char) => char.charCodeAt(0))
      data.items.add(new File([bytes], item.name))
    }
    return data
  }, payload)
  await page.getByTestId('drop-zone').dispatchEvent('dragover', { dataTransfer: transfer })
  await page.getByTestId('drop-zone').dispatchEvent('drop', { dataTransfer: transfer })
}

/** Review & submit, then open the pipeline view; returns the pushed branch and when the push was asked for. */
async function submit(page: Page, pairs: number, previous?: string): Promise<{ branch: string; submittedAt: number }> {
  await expect(page.getByTestId('summary-pairs')).toHaveText(String(pairs), { timeout: 20_000 })
  // QA has answered for every pair (warnings such as GPS metadata do not block a submit; errors would).
  const checked = page.locator('[data-pair-id][data-status="ok"], [data-pair-id][data-status="warning"]')
  await expect(checked).toHaveCount(pairs, { timeout: 60_000 })
  await expect(page.getByTestId('summary-errors')).toHaveText('0')
  await page.getByRole('button', { name: 'Review & submit…' }).click()
  const review = page.getByRole('dialog', { name: 'Review the submission' })
  const submittedAt = Date.now()
  await review.getByRole('button', { name: `Push ${String(pairs)} pairs` }).click({ timeout: 20_000 })
  await expect(page.getByTestId('submission')).toHaveAttribute('data-phase', 'pushed', { timeout: 30_000 })
  // The banner of the previous submission says "pushed" too: wait for this one's branch.
  if (previous !== undefined) await expect(page.getByTestId('pushed-branch')).not.toHaveText(previous)
  const branch = (await page.getByTestId('pushed-branch').textContent()) ?? ''
  await page.getByRole('link', { name: 'Open the pipeline view' }).click()
  return { branch, submittedAt }
}

test('submit data → the timeline advances through every stage to a verdict, passed and then rejected', async ({
  page,
  userData,
}, testInfo) => {
  // Two trainings, two gates (the second evaluates production too) on a shared 2-core machine.
  test.setTimeout(360_000)
  const demo = await createDemoWorkspace(path.join(userData, 'demo'), { incoming: 4 })
  await commitConfig(
    demo.workspace,
    (config) => {
      config.training = { imageSize: 64, epochs: 6, batchSize: 4, baseFilters: 8, learningRate: 0.002 }
      config.gate = { firstModelMinDice: 0 }
    },
    'Small training for the end-to-end test',
  )
  const host = await startWebHostProcess({ userData })
  try {
    await page.goto(host.url)

    // Run 1: the demo's new pairs.
    await page.getByRole('button', { name: "Add the demo's new pairs" }).click()
    const first = await submit(page, 4)
    const timeline = page.locator(`[data-branch-timeline="${first.branch}"]`)
    await expect(timeline).toBeVisible({ timeout: 20_000 })
    const word = (stage: string) => timeline.getByTestId(`stage-word-${stage}`)
    await expect(word('pushed')).toHaveText('pushed')
    // Every stage is seen on its way: merge & QA, live epochs, the gate, promotion, the merge into main.
    await expect(word('merge-qa')).toHaveText('checked', { timeout: 60_000 })
    await expect(word('training')).toHaveText(/^epoch [1-6]\/6$/, { timeout: 60_000 })
    await expect(timeline.getByRole('figure', { name: 'Loss per epoch' })).toBeVisible({ timeout: 60_000 })
    await expect(timeline.getByTestId('gate-result')).toContainText('passed', { timeout: 120_000 })
    await expect(word('promotion')).toHaveText(/^promoted v\d+$/, { timeout: 60_000 })
    await expect(word('merged')).toHaveText('merged into main', { timeout: 60_000 })
    await expect(timeline.getByTestId('run-outcome')).toHaveText('merged')
    const firstShown = Date.now() - first.submittedAt
    await expect(page.getByTestId('verdict-notices')).toContainText(`Gate passed: ${first.branch}`)
    const firstInApp = (await timeline.getByTestId('submit-to-verdict').textContent()) ?? ''
    await page.screenshot({ path: testInfo.outputPath('pipeline-passed.png'), fullPage: true })

    // Run 2: a gate that asks for a Dice gain no model can make (more than 1): rejected, with its reasons.
    await commitConfig(
      demo.workspace,
      (config) => {
        config.gate = { firstModelMinDice: 0, diceMargin: 1 }
      },
      'Ask the gate for a much better model',
    )
    const more = await writeSyntheticDataset(testInfo.outputPath('more'), { count: 3, seed: 77, startId: 500 })
    await page.getByRole('link', { name: 'Add data' }).click()
    await dropFiles(
      page,
      more.flatMap((pair, index) => [
        {
          name: `extra-${String(index)}_image${path.extname(pair.image)}`,
          file: path.join(testInfo.outputPath('more'), pair.image),
        },
        {
          name: `extra-${String(index)}_mask${path.extname(pair.mask)}`,
          file: path.join(testInfo.outputPath('more'), pair.mask),
        },
      ]),
    )
    const second = await submit(page, 3, first.branch)
    const rejected = page.locator(`[data-branch-timeline="${second.branch}"]`)
    await expect(rejected).toBeVisible({ timeout: 20_000 })
    await expect(rejected.getByTestId('gate-result')).toContainText('rejected', { timeout: 180_000 })
    await expect(rejected.getByTestId('stage-word-gate')).toHaveText('rejected')
    await expect(rejected.getByTestId('stage-word-promotion')).toHaveText('not promoted', { timeout: 30_000 })
    await expect(rejected.getByTestId('run-outcome')).toHaveText('not improved')
    const secondShown = Date.now() - second.submittedAt
    await expect(page.getByTestId('verdict-notices')).toContainText(`Gate rejected: ${second.branch}`)
    // Candidate against production, the reasons, and the test images that changed most, with their pictures.
    const gate = rejected.getByTestId('gate-panel')
    await expect(gate.getByRole('row', { name: /Production \(v\d+\)/ })).toBeVisible()
    await expect(gate.getByRole('list').first()).toContainText(/Dice/)
    const thumbs = gate.locator('img.delta__thumb')
    await expect(thumbs.first()).toBeVisible({ timeout: 20_000 })
    await expect
      .poll(() => thumbs.first().evaluate((image) => (image as HTMLImageElement).naturalWidth), { timeout: 20_000 })
      .toBeGreaterThan(0)
    const secondInApp = (await rejected.getByTestId('submit-to-verdict').textContent()) ?? ''
    await page.screenshot({ path: testInfo.outputPath('pipeline-rejected.png'), fullPage: true })

    // The first run is still there, one click away, as it ended.
    await page.locator(`[data-run="${first.branch}"]`).click()
    await expect(timeline.getByTestId('gate-result')).toContainText('passed')
    await writeFile(
      testInfo.outputPath('timings.json'),
      JSON.stringify({ firstShown, firstInApp, secondShown, secondInApp }, null, 2),
    )
    testInfo.annotations.push({
      type: 'timing',
      description: `submit → verdict shown: passed ${String(firstShown)} ms (${firstInApp}), rejected ${String(secondShown)} ms (${secondInApp})`,
    })
  } finally {
    await host.stop()
    await writeFile(testInfo.outputPath('web-host.log'), host.output())
  }
})
