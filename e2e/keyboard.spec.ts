import { writeFile } from 'node:fs/promises'
import type { Page } from '@playwright/test'
import { expect, test } from './fixtures.js'
import { writeStagingDrop } from './staging-fixtures.js'

/** The pair id of the focused card, or null when focus is elsewhere. */
const focusedPair = (page: Page): Promise<string | null> =>
  page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.pairId ?? null)

/** Presses `key` until `done` holds (at most `limit` times); returns how many presses it took. */
async function pressUntil(page: Page, key: string, done: () => Promise<boolean>, limit = 40): Promise<number> {
  for (let presses = 0; presses <= limit; presses += 1) {
    if (await done()) return presses
    await page.keyboard.press(key)
  }
  throw new Error(`${key} pressed ${String(limit)} times without reaching the goal`)
}

test('keyboard only: add, fix, remove and undo, open and close a pair, review and submit', async ({
  page,
  webHost,
}, testInfo) => {
  test.setTimeout(150_000)
  const files = await writeStagingDrop(testInfo.outputPath('set'))
  const card = (id: string) => page.locator(`[data-pair-id="${id}"]`)
  await page.goto(webHost.url)
  await expect(page.getByRole('heading', { name: 'No pairs staged' })).toBeVisible()

  // The first Tab stop is the skip link; it lands on the area, whose first control adds files.
  await page.keyboard.press('Tab')
  await expect(page.getByRole('button', { name: 'Skip to content' })).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page.locator('#main')).toBeFocused()
  await page.keyboard.press('Tab')
  await expect(page.getByRole('button', { name: 'Add files…' })).toBeFocused()
  const chooser = page.waitForEvent('filechooser')
  await page.keyboard.press('Enter')
  await (await chooser).setFiles(files)
  await expect(card('alpha')).toHaveAttribute('data-status', 'warning', { timeout: 30_000 })
  await expect(page.getByTestId('added-summary')).toContainText('6 pairs added.')

  // Into the grid by Tab, through the skip link to the pairs.
  await page.keyboard.press('Shift+Tab')
  const tabsToGrid = await pressUntil(page, 'Tab', async () => (await focusedPair(page)) !== null)
  const skip = page.getByRole('button', { name: 'Skip to the pairs' })
  await skip.evaluate((button) => (button as HTMLButtonElement).blur())

  // Fix the pair with a transparent mask: arrows to it, then f.
  await pressUntil(page, 'ArrowRight', async () => (await focusedPair(page)) === 'alpha')
  await page.keyboard.press('f')
  await expect(card('alpha')).toHaveAttribute('data-status', 'ok', { timeout: 20_000 })
  await expect(page.getByTestId('toast')).toContainText('Fixed 1 pair.')

  // Remove the broken pair (errors come first), undo with Ctrl+Z, remove it again.
  // Focus follows on the next frame, so the check waits for it rather than reading it at once.
  await page.keyboard.press('Home')
  await expect.poll(() => focusedPair(page)).toBe('broken')
  await page.keyboard.press('Delete')
  await expect(card('broken')).toHaveCount(0)
  await expect(page.getByTestId('toast')).toContainText('Removed broken.')
  await expect.poll(() => focusedPair(page)).not.toBeNull()
  await page.keyboard.press('Control+z')
  await expect(card('broken')).toHaveAttribute('data-status', 'error', { timeout: 20_000 })

  // Open a pair with Enter: Tab stays inside the dialog, Escape closes it and focus returns to the card.
  const opened = (await focusedPair(page)) ?? ''
  await page.keyboard.press('Enter')
  const dialog = page.getByRole('dialog', { name: `Pair ${opened}` })
  await expect(dialog).toBeVisible()
  for (let tab = 0; tab < 25; tab += 1) {
    await page.keyboard.press('Tab')
    expect(await dialog.evaluate((element) => element.contains(document.activeElement))).toBe(true)
  }
  await page.keyboard.press('Escape')
  await expect(dialog).toBeHidden()
  await expect(card(opened)).toBeFocused()

  await page.keyboard.press('Home')
  await expect.poll(() => focusedPair(page)).toBe('broken')
  await page.keyboard.press('Delete')
  await expect(card('broken')).toHaveCount(0)

  // Back to "Review & submit…", review, and push.
  const review = page.getByRole('button', { name: 'Review & submit…' })
  const tabsBack = await pressUntil(page, 'Shift+Tab', () =>
    review.evaluate((button) => button === document.activeElement),
  )
  await page.keyboard.press('Enter')
  const dialogReview = page.getByRole('dialog', { name: 'Review the submission' })
  await expect(dialogReview.getByTestId('review-pairs')).toHaveText('5')
  const branch = (await dialogReview.getByTestId('review-branch').textContent()) ?? ''
  const push = dialogReview.getByRole('button', { name: 'Push 5 pairs' })
  await pressUntil(page, 'Tab', () => push.evaluate((button) => button === document.activeElement))
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('submission')).toHaveAttribute('data-phase', 'pushed', { timeout: 30_000 })
  await expect(page.getByTestId('pushed-branch')).toHaveText(branch)
  await writeFile(testInfo.outputPath('tabs.json'), JSON.stringify({ tabsToGrid, tabsBackToReview: tabsBack }))
})
