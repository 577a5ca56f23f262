import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { StagedIssue, StagedPair, StagingSnapshot } from '@wms/shared/staging/staging-types'
import { summarizeStaging } from '@wms/shared/staging/summarize-staging'
import { AppStoreContext, createAppStore } from '../../store/app-store.js'
import { fakeApi, SAMPLE_WORKSPACE } from '../../test-support/fake-api.js'
import { AddDataArea } from './AddDataArea.js'

function pair(id: string, status: StagedPair['status'], ruleId?: StagedIssue['ruleId']): StagedPair {
  const severity = status === 'error' ? 'error' : 'warning'
  return {
    id,
    image: { relpath: `images/${id}.jpg`, originalName: `${id}.jpg`, md5: 'a'.repeat(32), bytes: 1000, fixed: false },
    mask: { relpath: `masks/${id}.png`, originalName: `${id}.png`, md5: 'b'.repeat(32), bytes: 100, fixed: false },
    status,
    issues:
      ruleId === undefined
        ? []
        : [
            {
              ruleId,
              severity,
              sampleId: id,
              message: `${id} has a ${ruleId} problem. Do this.`,
              details: {},
              fixable: severity === 'warning',
            },
          ],
    fixes: [],
    replacement: false,
    revision: 1,
    width: 400,
    height: 300,
    foreground: 0.03,
  }
}

const PAIRS = [
  pair('a-ok', 'ok'),
  pair('b-warn', 'warning', 'mask/lossy'),
  pair('c-err', 'error', 'geometry/size-mismatch'),
]
const EMPTY_STATE = { submission: null, settings: { fixOnAdd: true }, undo: null }
const SNAPSHOT: StagingSnapshot = { pairs: PAIRS, problems: [], summary: summarizeStaging(PAIRS), ...EMPTY_STATE }

function setup(snapshot: StagingSnapshot = SNAPSHOT) {
  const { api, calls } = fakeApi({
    'staging:get-state': () => ({ ok: true, value: snapshot }),
    'staging:remove-pairs': () => ({ ok: true, value: { removed: 1 } }),
    'staging:retry-qa': () => ({ ok: true, value: {} }),
    'staging:apply-fixes': () => ({
      ok: true,
      value: { fixed: 1, unchanged: 0, results: [{ id: 'b-warn', did: ['thresholded at 127'] }] },
    }),
    'staging:undo': () => ({ ok: true, value: { undone: 'Removed b-warn' } }),
    'submit:preview': () => ({
      ok: true,
      value: {
        branch: 'data/20260101-000000',
        message: 'data: add 3 new training pairs',
        pairs: 3,
        files: [{ relpath: 'images/a-ok.jpg', bytes: 1000 }],
        bytes: 3300,
        remote: { name: 'origin', url: '../origin.git' },
        blockers: ['1 pair has QA errors: fix or remove it first.'],
        warnings: 1,
        unpairedFiles: 0,
        pairIds: ['a-ok', 'b-warn'],
        blocked: [{ id: 'c-err', reason: 'image and mask sizes differ' }],
        ready: 2,
        gps: [],
      },
    }),
  })
  const store = createAppStore(api)
  store.setState({ workspace: { status: 'ready', value: SAMPLE_WORKSPACE } })
  render(
    <AppStoreContext.Provider value={store}>
      <AddDataArea />
    </AppStoreContext.Provider>,
  )
  return { store, calls }
}

describe('Add data', () => {
  afterEach(cleanup)

  it('shows every staged pair with its status, and the summary', async () => {
    setup()
    const grid = await screen.findByTestId('pair-grid')
    const cards = within(grid).getAllByRole('button')
    // What needs a person comes first: errors, then warnings.
    expect(cards.map((card) => card.getAttribute('aria-label'))).toEqual([
      'c-err: Error, 1 finding',
      'b-warn: Warning, 1 finding',
      'a-ok: OK',
    ])
    expect(screen.getByTestId('summary-pairs').textContent).toBe('3')
    expect(screen.getByTestId('summary-errors').textContent).toBe('1')
    expect(screen.getByTestId('summary-warnings').textContent).toBe('1')
  })

  it('filters by status and by rule, counting the chips under the rule filter', async () => {
    setup()
    await screen.findByTestId('pair-grid')
    fireEvent.click(screen.getByRole('button', { name: /Needs attention/ }))
    expect(within(screen.getByTestId('pair-grid')).getAllByRole('button')).toHaveLength(2)
    fireEvent.change(screen.getByRole('combobox', { name: 'Finding' }), { target: { value: 'mask/lossy' } })
    expect(screen.getByRole('button', { name: /^All/ }).textContent).toBe('All 1')
    expect(
      within(screen.getByTestId('pair-grid'))
        .getAllByRole('button')
        .map((card) => card.dataset.pairId),
    ).toEqual(['b-warn'])
  })

  it('moves with the arrow keys, fixes with f, removes with Delete (Ctrl+Z undoes) and opens with Enter', async () => {
    const { calls } = setup()
    const grid = await screen.findByTestId('pair-grid')
    fireEvent.keyDown(grid, { key: 'ArrowRight' })
    fireEvent.keyDown(grid, { key: 'ArrowRight' })
    expect(screen.getByRole('button', { name: /b-warn/ }).getAttribute('aria-current')).toBe('true')
    fireEvent.keyDown(grid, { key: 'f' })
    fireEvent.keyDown(grid, { key: 'Delete' })
    await waitFor(() => expect(calls).toContain('staging:remove-pairs'))
    expect(calls).toContain('staging:apply-fixes')
    expect((await screen.findByTestId('toast')).textContent).toContain('Removed b-warn.')
    fireEvent.keyDown(window, { key: 'z', ctrlKey: true })
    await waitFor(() => expect(calls).toContain('staging:undo'))
    // Deleting moved the selection on to the next pair; Enter opens it with its findings, in plain words.
    fireEvent.keyDown(grid, { key: 'Enter' })
    const dialog = await screen.findByRole('dialog', { name: 'Pair a-ok' })
    expect(dialog.textContent).toContain('No findings')
    fireEvent.keyDown(dialog, { key: 'Escape' })
    expect(screen.queryByRole('dialog')).toBeNull()
  })

  it('opens a pair on click and shows each finding as a title with its action, details on request', async () => {
    const { calls } = setup()
    fireEvent.click(await screen.findByRole('button', { name: /b-warn/ }))
    const dialog = await screen.findByRole('dialog', { name: 'Pair b-warn' })
    expect(within(dialog).getByText('Lossy mask, thresholded at 127')).toBeTruthy()
    expect(dialog.textContent).not.toMatch(/training-runner|--fix/)
    fireEvent.click(within(dialog).getByRole('button', { name: 'Fix' }))
    await waitFor(() => expect(calls).toContain('staging:apply-fixes'))
    expect((await within(dialog).findByTestId('fix-report')).textContent).toBe('Fixed: thresholded at 127.')
  })

  it('reviews before submitting and says what blocks it', async () => {
    setup()
    await screen.findByTestId('pair-grid')
    fireEvent.click(screen.getByRole('button', { name: 'Review & submit…' }))
    const dialog = await screen.findByRole('dialog', { name: 'Review the submission' })
    expect(within(dialog).getByTestId('review-branch').textContent).toBe('data/20260101-000000')
    expect(within(dialog).getByRole('alert').textContent).toContain('1 pair has QA errors')
    expect(within(dialog).getByRole<HTMLButtonElement>('button', { name: 'Push 3 pairs' }).disabled).toBe(true)
    // The blocking pair is a link to it; the others can go without it.
    expect(within(dialog).getByRole('button', { name: 'c-err' })).toBeTruthy()
    expect(within(dialog).getByRole('button', { name: 'Submit the others (2)' })).toBeTruthy()
  })

  it('keeps the commit message draft when the review is closed by Escape', async () => {
    setup()
    await screen.findByTestId('pair-grid')
    fireEvent.click(screen.getByRole('button', { name: 'Review & submit…' }))
    let dialog = await screen.findByRole('dialog', { name: 'Review the submission' })
    fireEvent.change(within(dialog).getByRole('textbox'), { target: { value: 'data: my words' } })
    fireEvent.keyDown(dialog, { key: 'Escape' })
    expect(screen.queryByRole('dialog')).toBeNull()
    fireEvent.click(screen.getByRole('button', { name: 'Review & submit…' }))
    dialog = await screen.findByRole('dialog', { name: 'Review the submission' })
    expect(within(dialog).getByRole<HTMLTextAreaElement>('textbox').value).toBe('data: my words')
  })

  it('merges streamed updates: changed pairs replace old ones, removed ones disappear', async () => {
    const { store } = setup()
    await screen.findByTestId('pair-grid')
    const fixed = { ...pair('b-warn', 'ok'), revision: 2, fixes: ['binarise-mask'] }
    act(() =>
      store.getState().applyStagingUpdate({
        pairs: [fixed],
        removed: ['c-err'],
        problems: [],
        summary: summarizeStaging([PAIRS[0]!, fixed]),
        submission: { branch: 'data/x', message: 'm', phase: 'pushed', pairIds: ['a'], attempts: 1 },
        undo: null,
      }),
    )
    expect(
      within(screen.getByTestId('pair-grid'))
        .getAllByRole('button')
        .map((card) => card.getAttribute('aria-label')),
    ).toEqual(['a-ok: OK', 'b-warn: OK, fixed'])
    expect(screen.getByTestId('submission').dataset.phase).toBe('pushed')
    expect(screen.getByTestId('pushed-branch').textContent).toBe('data/x')
  })

  it('offers a clear empty state, with the demo samples in the demo workspace', async () => {
    setup({ pairs: [], problems: [], summary: summarizeStaging([]), ...EMPTY_STATE })
    expect(await screen.findByRole('heading', { name: 'No pairs staged' })).toBeTruthy()
    expect(screen.getByRole('button', { name: "Add the demo's new pairs" })).toBeTruthy()
    // The per-file limit is stated where files are added, before anyone hits it.
    expect(screen.getByText(/Files up to 64 MB each\./)).toBeTruthy()
    expect(screen.getByRole('button', { name: 'Add files…' }).getAttribute('title')).toContain('up to 64 MB per file')
  })

  it('shows a failed QA run on its pairs with the reason, and retries it', async () => {
    const failed = { ...pair('a-ok', 'pending'), qaError: 'QA failed: the QA worker stopped (out of memory)' }
    const pairs = [failed, pair('b-warn', 'warning', 'mask/lossy')]
    const { calls } = setup({ pairs, problems: [], summary: summarizeStaging(pairs), ...EMPTY_STATE })
    const banner = await screen.findByTestId('qa-failure')
    expect(banner.getAttribute('role')).toBe('alert')
    expect(banner.textContent).toContain('QA could not check 1 pair:')
    expect(banner.textContent).toContain('the QA worker stopped (out of memory)')
    const card = within(screen.getByTestId('pair-grid')).getByRole('button', { name: /a-ok/ })
    expect(card.getAttribute('aria-label')).toBe('a-ok: QA failed')
    expect(card.dataset.status).toBe('qa-failed')
    fireEvent.click(within(banner).getByRole('button', { name: 'Retry QA' }))
    await waitFor(() => expect(calls).toContain('staging:retry-qa'))
  })

  it('removes files without a partner, one by one or all at once', async () => {
    const problem = (id: string, file: string) => ({
      id,
      files: [file],
      issue: {
        ruleId: 'pairing/orphan-image' as const,
        severity: 'error' as const,
        sampleId: id,
        message: 'no mask',
        details: {},
        fixable: false,
      },
    })
    const { calls } = setup({
      ...SNAPSHOT,
      problems: [problem('lonely', 'lonely_image.jpg'), problem('other', 'other_image.jpg')],
    })
    const list = await screen.findByTestId('problems')
    fireEvent.click(within(list).getByRole('button', { name: 'Remove lonely_image.jpg' }))
    fireEvent.click(within(list).getByRole('button', { name: 'remove all' }))
    await waitFor(() => expect(calls.filter((call) => call === 'staging:remove-pairs')).toHaveLength(2))
  })

  it('tells the user what happened to a submission a crash interrupted', async () => {
    setup({
      ...SNAPSHOT,
      submission: {
        branch: 'data/x',
        message: 'm',
        phase: 'failed',
        pairIds: ['a-ok'],
        attempts: 0,
        error: {
          code: 'cancelled',
          message: 'WMS Studio stopped while committing the submission of 1 pair; nothing was pushed.',
        },
        notice: 'The interrupted submission was rolled back.',
      },
    })
    expect((await screen.findByTestId('submission-notice')).textContent).toBe(
      'The interrupted submission was rolled back.',
    )
    expect(screen.getByTestId('submission').textContent).toContain('stopped while committing')
  })
})
