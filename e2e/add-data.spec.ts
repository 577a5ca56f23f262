import { copyFile, mkdir, readdir, readFile, stat, truncate, writeFile } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { simpleGit } from 'simple-git'
import { writeSyntheticDataset } from 'training-runner'
import { expect, test } from './fixtures.js'
import { startWebHostProcess } from './web-host-process.js'

/**
 * A generated set with one of each known problem, as loose `<stem>_image.*` / `<stem>_mask.*` files (a drop of
 * plain files carries no folder paths):
 *   good-1, good-2        clean pairs (PNG masks)
 *   rotated               photo stored rotated with EXIF orientation 6 (matches its mask only after rotation)
 *   lossy                 JPEG mask (not strictly 0/255)
 *   zz-copy-of-good-1        the same photo as good-1 under another name (duplicate)
 *   broken                truncated photo (corrupt)
 *   orphan                a photo without a mask
 */
async function makeProblemSet(dir: string): Promise<string[]> {
  const source = path.join(dir, 'source')
  const clean = await writeSyntheticDataset(source, { count: 4, seed: 11 })
  const rotated = await writeSyntheticDataset(path.join(source, 'rot'), {
    count: 1,
    seed: 12,
    exifRotatedEvery: 1,
    startId: 90,
  })
  const lossy = await writeSyntheticDataset(path.join(source, 'lossy'), {
    count: 1,
    seed: 13,
    maskFormat: 'jpeg',
    startId: 91,
  })
  const drop = path.join(dir, 'drop')
  await mkdir(drop, { recursive: true })
  const put = async (from: string, name: string): Promise<void> => copyFile(from, path.join(drop, name))
  const [a, b, c, d] = clean
  if (a === undefined || b === undefined || c === undefined || d === undefined) throw new Error('generator')
  await put(path.join(source, a.image), 'good-1_image.jpg')
  await put(path.join(source, a.mask), 'good-1_mask.png')
  await put(path.join(source, b.image), 'good-2_image.jpg')
  await put(path.join(source, b.mask), 'good-2_mask.png')
  await put(path.join(source, 'rot', rotated[0]!.image), 'rotated_image.jpg')
  await put(path.join(source, 'rot', rotated[0]!.mask), 'rotated_mask.png')
  await put(path.join(source, 'lossy', lossy[0]!.image), 'lossy_image.jpg')
  await put(path.join(source, 'lossy', lossy[0]!.mask), 'lossy_mask.jpg')
  await put(path.join(source, a.image), 'zz-copy-of-good-1_image.jpg')
  await put(path.join(source, a.mask), 'zz-copy-of-good-1_mask.png')
  await put(path.join(source, c.image), 'broken_image.jpg')
  await truncate(path.join(drop, 'broken_image.jpg'), 600)
  await put(path.join(source, c.mask), 'broken_mask.png')
  await put(path.join(source, d.image), 'orphan_image.jpg')
  // Sanity: the rotated photo really is stored sideways.
  expect((await sharp(path.join(drop, 'rotated_image.jpg')).metadata()).orientation).toBe(6)
  return [
    'good-1_image.jpg',
    'good-1_mask.png',
    'good-2_image.jpg',
    'good-2_mask.png',
    'rotated_image.jpg',
    'rotated_mask.png',
    'lossy_image.jpg',
    'lossy_mask.jpg',
    'zz-copy-of-good-1_image.jpg',
    'zz-copy-of-good-1_mask.png',
    'broken_image.jpg',
    'broken_mask.png',
    'orphan_image.jpg',
  ].map((name) => path.join(drop, name))
}

test('drop a set with known problems, fix, submit a data branch; the staged set survives a restart', async ({
  page,
  webHost,
  userData,
}, testInfo) => {
  // Two host starts, QA twice, a commit and a push: on a loaded CI machine this takes more than the default minute.
  test.setTimeout(150_000)
  const files = await makeProblemSet(testInfo.outputPath('set'))
  await page.goto(webHost.url)
  await expect(page.getByRole('heading', { name: 'No pairs staged' })).toBeVisible()

  // Drop the files onto the area, as a user drags them from a file manager.
  const payload = await Promise.all(
    files.map(async (file) => ({ name: path.basename(file), data: (await readFile(file)).toString('base64') })),
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

  const card = (id: string) => page.locator(`[data-pair-id="${id}"]`)
  await expect(card('good-1')).toHaveAttribute('data-status', 'ok', { timeout: 20_000 })
  await expect(card('good-2')).toHaveAttribute('data-status', 'ok')
  await expect(card('broken')).toHaveAttribute('data-status', 'error')
  // The JPEG mask is a format-only finding: fixed when added, so it needs no one's attention.
  await expect(card('lossy')).toHaveAttribute('data-status', 'ok')
  await expect(card('zz-copy-of-good-1')).toHaveAttribute('data-status', /warning|error/)
  await expect(card('rotated')).toHaveAttribute('data-status', /ok|warning/)
  await expect(page.getByTestId('problems')).toContainText('orphan_image.jpg')
  await expect(page.getByTestId('summary-pairs')).toHaveText('6')
  await page.screenshot({ path: testInfo.outputPath('staged.png') })

  // Open the lossy pair with a click: the note says what was fixed when it was added.
  await card('lossy').click()
  const dialog = page.getByRole('dialog', { name: 'Pair lossy' })
  await expect(dialog.getByTestId('fix-note')).toContainText('Fixed when added')
  await expect(dialog.getByTestId('fix-note')).toContainText('127')
  await dialog.getByRole('button', { name: 'Side by side' }).click()
  await page.screenshot({ path: testInfo.outputPath('detail.png') })
  await dialog.getByRole('button', { name: 'Close' }).click()
  await expect(card('lossy')).toBeFocused()

  // Remove what cannot be fixed: the broken photo and the duplicate.
  await card('broken').focus()
  await page.keyboard.press('Delete')
  await expect(card('broken')).toHaveCount(0)
  await card('zz-copy-of-good-1').focus()
  await page.keyboard.press('Delete')
  await expect(page.getByTestId('summary-errors')).toHaveText('0')

  // Kill the host mid-way: the staged set is still there after a restart.
  await webHost.stop('SIGKILL')
  const restarted = await startWebHostProcess({ userData })
  try {
    await page.goto(restarted.url)
    await expect(card('good-1')).toBeVisible()
    await expect(page.getByTestId('summary-pairs')).toHaveText('4')
    await expect(card('lossy')).toHaveAttribute('data-status', 'ok', { timeout: 20_000 })

    // Review and submit.
    await page.getByRole('button', { name: 'Review & submit…' }).click()
    const review = page.getByRole('dialog', { name: 'Review the submission' })
    await expect(review.getByTestId('review-pairs')).toHaveText('4')
    const branch = (await review.getByTestId('review-branch').textContent()) ?? ''
    expect(branch).toMatch(/^data\/\d{8}-\d{6}$/)
    await page.screenshot({ path: testInfo.outputPath('review.png') })
    await review.getByRole('button', { name: 'Push 4 pairs' }).click()
    await expect(page.getByTestId('submission')).toHaveAttribute('data-phase', 'pushed', { timeout: 30_000 })
    const pushed = (await page.getByTestId('pushed-branch').textContent()) ?? ''
    // The branch pushed is the branch the review showed.
    expect(pushed).toBe(branch)
    await page.screenshot({ path: testInfo.outputPath('pushed.png') })
    await expect(page.getByRole('heading', { name: 'No pairs staged' })).toBeVisible()

    // The photo without a mask stayed staged (it was not submitted); it can be removed like a pair. The staging
    // area, photos with GPS and all, is the user's alone.
    const staging = path.join(userData, 'demo', 'workspace', '.wms', 'staging')
    expect(((await stat(staging)).mode & 0o777).toString(8)).toBe('700')
    expect(((await stat(path.join(staging, 'staging.json'))).mode & 0o777).toString(8)).toBe('600')
    await page.getByTestId('problems').getByRole('button', { name: 'Remove orphan_image.jpg' }).click()
    await expect(page.getByTestId('problems')).toHaveCount(0)

    // The result links to the pipeline view, which lists the new branch as pushed.
    await page.getByRole('link', { name: 'Open the pipeline view' }).click()
    const row = page.locator(`[data-branch="${pushed}"]`)
    await expect(row).toContainText('pushed')
    await expect(row).toContainText('data: add 4 new training pairs')
    await page.screenshot({ path: testInfo.outputPath('pipeline.png') })

    // The data branch on the demo origin holds exactly the submitted files.
    const origin = simpleGit(path.join(userData, 'demo', 'origin.git'))
    const changed = (await origin.raw(['diff', '--name-only', 'main', pushed])).trim().split('\n').sort()
    expect(changed).toEqual(
      [
        'images/good-1.jpg',
        'images/good-2.jpg',
        'images/lossy.jpg',
        'images/rotated.jpg',
        'masks/good-1.png',
        'masks/good-2.png',
        'masks/lossy.png',
        'masks/rotated.png',
      ].map((file) => `data/training/${file}`),
    )
  } finally {
    await restarted.stop()
  }
  await writeFile(testInfo.outputPath('done.txt'), 'ok')
})

test('a photo already in the dataset is flagged and shown next to the original', async ({
  page,
  webHost,
  userData,
}) => {
  // Indexing the demo dataset for duplicates and rendering its original: over a minute at load 20 on 2 cores.
  test.setTimeout(120_000)
  const dataset = path.join(userData, 'demo', 'workspace', 'data', 'training')
  const [first] = (await readdir(path.join(dataset, 'images'))).sort()
  if (first === undefined) throw new Error('the demo has no dataset')
  const stem = first.replace(/\.jpg$/, '')
  const files = [
    { name: 'again_image.jpg', data: (await readFile(path.join(dataset, 'images', first))).toString('base64') },
    { name: 'again_mask.png', data: (await readFile(path.join(dataset, 'masks', `${stem}.png`))).toString('base64') },
  ]
  await page.goto(webHost.url)
  const transfer = await page.evaluateHandle((items) => {
    const data = new DataTransfer()
    for (const item of items)
      data.items.add(new File([Uint8Array.from(atob(item.data), (c) => c.charCodeAt(0))], item.name))
    return data
  }, files)
  await page.getByTestId('drop-zone').dispatchEvent('drop', { dataTransfer: transfer })
  const card = page.locator('[data-pair-id="again"]')
  await expect(card).toHaveAttribute('data-status', 'error', { timeout: 20_000 })
  await card.click()
  const dialog = page.getByRole('dialog', { name: 'Pair again' })
  await expect(dialog).toContainText('Photo already in the dataset')
  const original = dialog.getByRole('img', { name: `The dataset's images/${first}` })
  await expect(original).toBeVisible()
  await expect.poll(() => original.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0)
})
