import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react'
import { afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ModelRegistryOverview, ModelVersionSummary } from '@wms/shared/models/model-registry'
import type { Result } from '@wms/shared/result'
import type { ResponseOf } from '@wms/shared/ipc/contract'
import { AppStoreContext, createAppStore } from '../store/app-store.js'
import { fakeApi } from '../test-support/fake-api.js'
import { ModelsArea } from './ModelsArea.js'

function version(number: number, dice: number, extra: Partial<ModelVersionSummary> = {}): ModelVersionSummary {
  return {
    version: String(number),
    runId: `run-${String(number)}`,
    createdAt: Date.UTC(2026, 0, number),
    dice,
    iou: dice - 0.1,
    baselineDice: number === 1 ? null : dice - 0.05,
    baselineIou: number === 1 ? null : dice - 0.15,
    gateOutcome: number === 1 ? 'first-model' : 'improved',
    dataVersion: `images=${String(number).repeat(32).slice(0, 32)}.dir,masks=x.dir`,
    dataPairs: 20 + number,
    testPairs: 3,
    sourceBranch: `data/2026010${String(number)}-000000`,
    pr: 10 + number,
    gitSha: null,
    promotedAt: new Date(Date.UTC(2026, 0, number)).toISOString(),
    rolledBackAt: null,
    rollbackReason: null,
    ...extra,
  }
}

const OVERVIEW: ModelRegistryOverview = {
  modelName: 'wms-model',
  store: { kind: 'filestore', display: '/demo/mlruns' },
  versions: [version(3, 0.84), version(2, 0.78), version(1, 0.71)],
  productionVersion: '3',
  productionSince: '2026-01-03T00:00:00.000Z',
  history: [1, 2, 3].map((n) => ({
    event: 'promote' as const,
    version: n,
    timestamp: new Date(Date.UTC(2026, 0, n)).toISOString(),
    previousVersion: n === 1 ? null : n - 1,
    dice: 0.7,
    iou: 0.6,
    reason: null,
    source: 'history-file' as const,
    current: n === 3,
  })),
  problems: [],
}

function setup(overviews: Result<ModelRegistryOverview>[], rollback?: () => Result<ResponseOf<'models:rollback'>>) {
  const queue = [...overviews]
  const { api, calls } = fakeApi({
    'models:get-overview': () =>
      queue.shift() ?? overviews.at(-1) ?? { ok: false, error: { code: 'internal', message: 'x' } },
    'staging:get-state': () => ({
      ok: true,
      value: {
        pairs: [],
        problems: [],
        summary: null as never,
        submission: null,
        settings: { fixOnAdd: true },
        undo: null,
      },
    }),
    ...(rollback === undefined ? {} : { 'models:rollback': rollback }),
  })
  const store = createAppStore(api)
  render(
    <AppStoreContext.Provider value={store}>
      <ModelsArea />
    </AppStoreContext.Provider>,
  )
  return { store, calls }
}

afterEach(cleanup)
// The overview is a lazy chunk: transform it once up front, so finding its content waits for React, not Vite.
beforeAll(async () => {
  await import('./models/ModelsOverview.js')
})

describe('ModelsArea', () => {
  it('keeps the empty state while nothing is registered', async () => {
    setup([
      { ok: true, value: { ...OVERVIEW, versions: [], history: [], productionVersion: null, productionSince: null } },
    ])
    expect(await screen.findByRole('heading', { name: 'No model in production yet' })).toBeTruthy()
  })

  it('shows production and since when, every version, and compares the newest with the one before', async () => {
    setup([{ ok: true, value: OVERVIEW }])
    expect((await screen.findByTestId('models-production')).textContent).toContain(
      'v3 of wms-model is production since',
    )
    const rows = within(screen.getByTestId('models-versions')).getAllByRole('row').slice(1)
    expect(rows.map((row) => row.getAttribute('data-version'))).toEqual(['3', '2', '1'])
    expect(rows[0]?.textContent).toContain('production')
    expect(rows[2]?.textContent).toContain('first model')
    const compare = screen.getByTestId('models-compare')
    expect(within(compare).getByRole('columnheader', { name: 'v2' })).toBeTruthy()
    expect(within(compare).getByRole('row', { name: /Test Dice/ }).textContent).toContain('+0.060')
    // Headings in order under the area's h2.
    const levels = screen.getAllByRole('heading').map((heading) => heading.tagName)
    expect(levels[0]).toBe('H2')
    expect(levels.slice(1).every((tag) => tag === 'H3')).toBe(true)
  })

  it('asks before rolling back, traps focus, returns it on cancel, and shows the new production after', async () => {
    const rolled = { ...OVERVIEW, productionVersion: '1', productionSince: '2026-12-02T10:00:00.000Z' }
    const { calls } = setup(
      [
        { ok: true, value: OVERVIEW },
        { ok: true, value: rolled },
      ],
      () => ({
        ok: true,
        value: {
          version: '1',
          previousVersion: '3',
          rolledBackAt: '2026-12-02T10:00:00.000Z',
          alreadyProduction: false,
          historyAppended: true,
        },
      }),
    )
    const open = await screen.findByRole('button', { name: 'Roll back to v1' })
    open.focus()
    fireEvent.click(open)
    const dialog = screen.getByRole('dialog', { name: 'Roll back to v1?' })
    const reason = within(dialog).getByRole('textbox')
    expect(document.activeElement).toBe(reason)
    // Tab from the last button wraps to the first focusable element of the dialog.
    const confirm = within(dialog).getByRole('button', { name: 'Roll back to v1' })
    confirm.focus()
    fireEvent.keyDown(confirm, { key: 'Tab' })
    expect(document.activeElement).toBe(reason)
    fireEvent.keyDown(reason, { key: 'Escape' })
    expect(screen.queryByRole('dialog')).toBeNull()
    expect(document.activeElement).toBe(open)
    expect(calls).not.toContain('models:rollback')

    fireEvent.click(open)
    fireEvent.change(screen.getByRole('textbox'), { target: { value: 'bad on dark meters' } })
    act(() => {
      fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Roll back to v1' }))
    })
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull())
    expect(calls.filter((call) => call === 'models:rollback')).toHaveLength(1)
    expect(screen.getByTestId('models-production').textContent).toContain('v1 of wms-model is production')
  })

  it('keeps the dialog open with the reason when the rollback is refused', async () => {
    setup([{ ok: true, value: OVERVIEW }], () => ({
      ok: false,
      error: { code: 'promote/locked', message: 'Another promotion holds the lock.', hint: 'Wait for it.' },
    }))
    fireEvent.click(await screen.findByRole('button', { name: 'Roll back to v2' }))
    act(() => {
      fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Roll back to v2' }))
    })
    expect((await within(screen.getByRole('dialog')).findByRole('alert')).textContent).toContain(
      'Another promotion holds the lock.',
    )
  })
})

describe('the Models prefetch', () => {
  it('puts a read registry in the store before the first open, and a failed read nowhere', async () => {
    const { api } = fakeApi({ 'models:get-overview': () => ({ ok: true, value: OVERVIEW }) })
    const store = createAppStore(api)
    await store.getState().prefetchModels()
    const prefetched = store.getState().models
    expect(prefetched.status === 'ready' ? prefetched.value.productionVersion : null).toBe('3')
    // The area's own load on open finds equal data: nothing on screen changes.
    await store.getState().loadModels()
    expect(store.getState().models).toBe(prefetched)

    const failing = createAppStore(
      fakeApi({ 'models:get-overview': () => ({ ok: false, error: { code: 'internal', message: 'down' } }) }).api,
    )
    await failing.getState().prefetchModels()
    expect(failing.getState().models.status).toBe('idle')
  })

  it('leaves the area’s own load alone when the area opened meanwhile', async () => {
    const other = { ...OVERVIEW, productionVersion: '1' }
    const answers = [OVERVIEW, other]
    const { api } = fakeApi({ 'models:get-overview': () => ({ ok: true, value: answers.shift() ?? other }) })
    const store = createAppStore(api)
    const prefetch = store.getState().prefetchModels()
    await store.getState().loadModels()
    await prefetch
    const models = store.getState().models
    expect(models.status === 'ready' ? models.value.productionVersion : null).toBe('1')
  })
})
