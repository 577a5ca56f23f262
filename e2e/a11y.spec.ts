import { writeFile } from 'node:fs/promises'
import type { Page } from '@playwright/test'
import { expectNoSeriousViolations } from './axe.js'
import { expect, test } from './fixtures.js'
import { writeStagingDrop } from './staging-fixtures.js'

/** Every area of the app, by its sidebar link. */
const AREAS = ['Add data', 'Pipeline', 'Models', 'Settings'] as const

async function showArea(page: Page, name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name }).click()
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name })).toHaveAttribute(
    'aria-current',
    'page',
  )
}

test('axe finds no serious or critical violation in any area or dialog; screenshots at three sizes', async ({
  page,
  webHost,
  browser,
}, testInfo) => {
  // axe takes 1–2 s a page on an idle machine and ~20 s at a load of 20 on 2 cores.
  test.setTimeout(420_000)
  const files = await writeStagingDrop(testInfo.outputPath('set'))
  const minor: Record<string, number> = {}
  const audit = async (where: string): Promise<void> => {
    const started = Date.now()
    minor[where] = await expectNoSeriousViolations(page, where)
    console.log(`axe ${where}: ${String(Date.now() - started)} ms`)
  }
  await page.goto(webHost.url)
  await expect(page.getByRole('heading', { name: 'No pairs staged' })).toBeVisible()
  for (const area of AREAS.slice(1)) {
    await showArea(page, area)
    await page.waitForTimeout(500)
    await audit(area)
  }
  // The Models area's dialog (roll back), when the demo has a version to roll back to.
  await showArea(page, 'Models')
  const rollback = page.getByRole('button', { name: /roll back/i }).first()
  if ((await rollback.count()) > 0 && (await rollback.isEnabled())) {
    await rollback.click()
    await expect(page.getByRole('dialog')).toBeVisible()
    await audit('Models, roll back dialog')
    await page.keyboard.press('Escape')
  }
  await showArea(page, 'Add data')

  await page.getByTestId('file-input').setInputFiles(files)
  const card = (id: string) => page.locator(`[data-pair-id="${id}"]`)
  await expect(card('alpha')).toHaveAttribute('data-status', 'warning', { timeout: 30_000 })
  await expect(card('lossy')).toHaveAttribute('data-status', 'ok')
  await expect(page.getByTestId('unplaced')).toContainText('Choose folder instead')
  await audit('Add data, pairs staged')
  await page.screenshot({ path: testInfo.outputPath('1280x800-grid.png') })

  await card('alpha').click()
  const detail = page.getByRole('dialog', { name: 'Pair alpha' })
  await expect(detail).toBeVisible()
  await detail.getByText('Details').first().click()
  await page.screenshot({ path: testInfo.outputPath('1280x800-detail.png') })
  await detail.getByTestId('replace-mask-input').setInputFiles(files.find((file) => file.endsWith('good-1_mask.png'))!)
  await expect(page.getByRole('dialog', { name: /Replace the mask of alpha/ })).toBeVisible()
  await audit('mask preview')
  await page.getByRole('button', { name: 'Cancel' }).click()
  await detail.getByRole('button', { name: 'Apply safe fixes' }).click()
  await expect(detail.getByTestId('fix-report')).toContainText('Fixed:')
  await expect(page.getByTestId('toast')).toContainText('Fixed 1 pair.')
  await audit('pair detail after a fix, with the undo toast')
  await page.screenshot({ path: testInfo.outputPath('1280x800-detail-fixed.png') })
  await page.keyboard.press('Escape')
  await expect(detail).toBeHidden()

  await page.getByRole('button', { name: 'Review & submit…' }).click()
  const review = page.getByRole('dialog', { name: 'Review the submission' })
  await expect(review.getByRole('button', { name: 'broken' })).toBeVisible()
  await audit('review with a blocked pair')
  await page.screenshot({ path: testInfo.outputPath('1280x800-review.png') })
  await review.getByRole('button', { name: /Submit the others/ }).click()
  await expect(review.getByRole('button', { name: /Push \d+ pairs/ })).toBeEnabled()
  await page.keyboard.press('Escape')

  // The same staged set in a small window and at 200 % zoom (a 1280×800 window at 2× is 640×400 CSS pixels).
  for (const [name, viewport, scale] of [
    ['1024x700', { width: 1024, height: 700 }, 1],
    ['zoom200', { width: 640, height: 400 }, 2],
  ] as const) {
    const context = await browser.newContext({ viewport, deviceScaleFactor: scale })
    const small = await context.newPage()
    await small.goto(webHost.url)
    await expect(small.locator('[data-pair-id="good-1"]')).toBeVisible()
    await small.screenshot({ path: testInfo.outputPath(`${name}-grid.png`) })
    await small.locator('[data-pair-id="broken"]').click()
    const smallDetail = small.getByRole('dialog', { name: 'Pair broken' })
    // The actions are on screen without scrolling.
    await expect(
      smallDetail.getByRole('toolbar', { name: 'Pair actions' }).getByRole('button', { name: 'Remove pair' }),
    ).toBeInViewport()
    await small.screenshot({ path: testInfo.outputPath(`${name}-detail.png`) })
    if (scale === 2) minor[`${name} detail`] = await expectNoSeriousViolations(small, `${name} detail`)
    await context.close()
  }
  await writeFile(testInfo.outputPath('axe-minor.json'), JSON.stringify(minor, null, 1))
  testInfo.annotations.push({ type: 'axe minor/moderate', description: JSON.stringify(minor) })
})
