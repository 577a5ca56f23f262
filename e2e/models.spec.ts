import { readFile } from 'node:fs/promises'
import AxeBuilder from '@axe-core/playwright'
import path from 'node:path'
import { createDemoWorkspace } from 'training-runner'
import { seedRegistry } from '../src-main/test-support/seed-registry.js'
import { expect, test as base } from './fixtures.js'
import { startWebHostProcess, type WebHostProcess } from './web-host-process.js'

/**
 * Models on the demo workspace, with three versions promoted through the runner's own gate and promote (the
 * pipeline's training is stood in for by tiny real models, so the spec takes seconds, not a training run):
 * the versions with their metrics and a chart → "try it" predicts a mask in the inference worker and flags the
 * disagreement in Add data → rollback asks first, then moves production and records it.
 */
const test = base.extend<{ workspace: string; webHost: WebHostProcess }>({
  workspace: [
    async ({ userData }, use) => {
      const layout = await createDemoWorkspace(path.join(userData, 'demo'), { pairs: 6, minTestPairs: 0, incoming: 2 })
      await seedRegistry(layout.workspace, [
        { dice: 0.71, iou: 0.58, foreground: 'random' },
        { dice: 0.78, iou: 0.66, foreground: 'random' },
        // Production marks the whole photo as counter: a large disagreement with any annotator's mask.
        { dice: 0.84, iou: 0.73, foreground: 'all' },
      ])
      await use(layout.workspace)
    },
    // Making the demo and three promotions is set-up, with its own time (a loaded CI machine needs it).
    { timeout: 90_000 },
  ],
  webHost: async ({ userData, workspace }, use) => {
    expect(workspace).toContain(userData)
    const host = await startWebHostProcess({ userData })
    await use(host)
    await host.stop()
  },
})

test('Models: versions with metrics and a chart, try it, and a recorded rollback', async ({
  page,
  webHost,
  workspace,
}, testInfo) => {
  // Under a loaded machine the worker's first TensorFlow.js load and axe's audits take seconds each.
  test.setTimeout(180_000)
  const shot = async (name: string): Promise<void> => {
    const file = testInfo.outputPath(`models-${name}.png`)
    await page.screenshot({ path: file, fullPage: true })
    await testInfo.attach(name, { path: file, contentType: 'image/png' })
  }
  await page.goto(webHost.url)
  // Stage the demo's new pairs, to try the models on.
  await page.getByRole('button', { name: "Add the demo's new pairs" }).click()
  await expect(page.locator('[data-pair-id]')).toHaveCount(2)

  await page.getByRole('link', { name: 'Models' }).click()
  await expect(page.getByRole('heading', { name: 'Models', level: 2 })).toBeVisible()
  await expect(page.getByTestId('models-production')).toContainText('v3 of water-meter-segmentation is production')
  const rows = page.getByTestId('models-versions').locator('tbody tr')
  await expect(rows).toHaveCount(3)
  await expect(rows.first()).toContainText('0.840')
  await expect(rows.first()).toContainText('production')
  await expect(rows.first()).toContainText('PR #102')
  await expect(page.getByTestId('models-chart').locator('.recharts-line')).toHaveCount(2)
  await expect(page.getByTestId('models-compare')).toContainText('+0.060')
  await shot('overview')
  // Accessible as drawn: landmarks, labels, heading order, contrast (axe-core, WCAG 2.1 A/AA rules).
  const audit = await new AxeBuilder({ page }).include('main').withTags(['wcag2a', 'wcag2aa', 'wcag21aa']).analyze()
  expect(audit.violations.map((violation) => `${violation.id}: ${String(violation.nodes.length)} nodes`)).toEqual([])

  // Try it: production on a staged photo, in the inference worker.
  const tried = await page.getByLabel('Staged photo').inputValue()
  await page.getByRole('button', { name: 'Predict the mask' }).click()
  await expect(page.getByTestId('try-result')).toBeVisible({ timeout: 30_000 })
  await expect(page.getByTestId('try-overlay')).toHaveJSProperty('complete', true)
  expect(await page.getByTestId('try-overlay').evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(0)
  await expect(page.getByRole('status').filter({ hasText: 'this mask may be wrong' })).toBeVisible()
  await page.getByTestId('try-result').scrollIntoViewIfNeeded()
  await shot('try-it')
  await page.getByLabel('Where they differ').check()
  await shot('try-it-difference')

  // Rollback asks first; Escape cancels and gives focus back to the button.
  const rollbackButton = page.getByRole('button', { name: 'Roll back to v1' })
  await rollbackButton.click()
  const dialog = page.getByRole('dialog', { name: 'Roll back to v1?' })
  await expect(dialog).toBeVisible()
  await expect(dialog.getByRole('textbox')).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(dialog).toBeHidden()
  await expect(rollbackButton).toBeFocused()
  await rollbackButton.click()
  await dialog.getByRole('textbox').fill('v3 marks the whole photo')
  await shot('rollback-dialog')
  const dialogAudit = await new AxeBuilder({ page }).include('[role="dialog"]').analyze()
  expect(dialogAudit.violations.map((violation) => violation.id)).toEqual([])
  await dialog.getByRole('button', { name: 'Roll back to v1' }).click()
  await expect(dialog).toBeHidden()
  await expect(page.getByTestId('models-production')).toContainText('v1 of water-meter-segmentation is production')
  const latest = page.getByTestId('models-history').locator('li').first()
  await expect(latest).toContainText('Rolled back to v1')
  await expect(latest).toContainText('v3 marks the whole photo')
  await shot('after-rollback')
  const history = await readFile(path.join(workspace, 'models', 'production-history.jsonl'), 'utf8')
  expect(JSON.parse(history.trim().split('\n').at(-1) ?? '{}')).toMatchObject({
    event: 'rollback',
    version: 1,
    previous_version: 3,
    reason: 'v3 marks the whole photo',
  })

  // The disagreement is on the pair in Add data too.
  await page.getByRole('link', { name: 'Add data' }).click()
  // The pair that was tried (the grid's order is not the select's).
  await page.locator(`[data-pair-id="${tried}"]`).dblclick()
  await expect(page.getByTestId('model-check')).toContainText('Possibly wrong mask: model v3')
  await shot('add-data-flag')
})
