import { expect, test } from './fixtures.js'

const AREAS = [
  { link: 'Add data', heading: 'No pairs staged' },
  { link: 'Pipeline', heading: 'No pipeline runs yet' },
  { link: 'Models', heading: 'No model in production yet' },
  { link: 'Settings', heading: 'Settings' },
] as const

test('opens on the demo workspace and visits every area', async ({ page, webHost, userData }, testInfo) => {
  testInfo.annotations.push({
    type: 'web host ready',
    description: `${String(webHost.readyMs)} ms (first start, demo created)`,
  })
  const consoleErrors: string[] = []
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text())
  })
  await page.goto(webHost.url)

  // The token leaves the address bar once the page has it.
  await expect(page).not.toHaveURL(/token=/)
  await expect(page.getByTestId('workspace-name')).toHaveText('Demo water meters')
  await expect(page.getByText('Demo workspace')).toBeVisible()
  await expect(page.getByTestId('workspace-root')).toHaveText(`${userData}/demo/workspace`)
  await expect(page.getByTestId('workspace-branch')).toContainText('main')
  await expect(page.getByTestId('workspace-git-remote')).toHaveText('origin → ../origin.git')
  await expect(page.getByTestId('workspace-data-remote')).toContainText(`${userData}/demo/dvc-remote`)
  await expect(page.getByTestId('workspace-tracking')).toContainText(`${userData}/demo/mlruns`)

  for (const area of AREAS) {
    await page.getByRole('link', { name: area.link }).click()
    await expect(page.getByRole('heading', { name: area.heading })).toBeVisible()
    await expect(page.getByRole('link', { name: area.link })).toHaveAttribute('aria-current', 'page')
    const file = testInfo.outputPath(`area-${area.link.toLowerCase().replace(/\s+/g, '-')}.png`)
    await page.screenshot({ path: file })
    await testInfo.attach(area.link, { path: file, contentType: 'image/png' })
  }
  await expect(page.getByText('fails closed when production cannot be evaluated')).toBeVisible()

  // Back/forward and reloads keep the place (the area lives in the URL).
  await page.goBack()
  await expect(page.getByRole('heading', { name: 'No model in production yet' })).toBeVisible()
  await page.reload()
  await expect(page.getByRole('heading', { name: 'No model in production yet' })).toBeVisible()
  await expect(page.getByTestId('workspace-name')).toHaveText('Demo water meters')

  expect(consoleErrors).toEqual([])
})

test('a page opened without the launch token says how to get in', async ({ page, webHost }) => {
  await page.goto(webHost.origin)
  await expect(page.getByRole('alert')).toContainText('opened without its launch token')
  await expect(page.getByRole('alert')).toContainText('Open the exact URL the web host printed')
})
