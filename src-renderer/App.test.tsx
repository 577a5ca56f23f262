import { act, cleanup, render, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import { App } from './App.js'
import { AppStoreContext, createAppStore } from './store/app-store.js'
import { summarizeStaging } from '@wms/shared/staging/summarize-staging'
import { SAMPLE_WORKSPACE, fakeApi } from './test-support/fake-api.js'

const emptyStaging = () => ({
  ok: true as const,
  value: {
    pairs: [],
    problems: [],
    summary: summarizeStaging([]),
    submission: null,
    settings: { fixOnAdd: true },
    undo: null,
  },
})

const appInfo = {
  name: 'WMS Studio',
  version: '0.1.0',
  host: 'web' as const,
  platform: 'linux',
  versions: { node: '20', electron: null, chrome: null },
}

function renderApp(api: ReturnType<typeof fakeApi>['api']) {
  const store = createAppStore(api)
  render(
    <AppStoreContext.Provider value={store}>
      <App />
    </AppStoreContext.Provider>,
  )
  return store
}

describe('App', () => {
  afterEach(cleanup)

  it('shows the workspace in the header and the four areas in the navigation', async () => {
    const { api } = fakeApi({
      'app:get-info': () => ({ ok: true, value: appInfo }),
      'staging:get-state': emptyStaging,
      'pipeline:list-data-branches': () => ({ ok: true, value: [] }),
      'workspace:get-info': () => ({ ok: true, value: SAMPLE_WORKSPACE }),
    })
    renderApp(api)
    expect((await screen.findByTestId('workspace-name')).textContent).toContain('Demo water meters')
    expect(screen.getByText('Demo workspace')).toBeTruthy()
    expect(screen.getByTestId('workspace-git-remote').textContent).toContain('origin → ../origin.git')
    const nav = screen.getByRole('navigation', { name: 'Main' })
    expect([...nav.querySelectorAll('a')].map((link) => link.textContent)).toEqual([
      'Add data',
      'Pipeline',
      'Models',
      'Settings',
    ])
    expect(screen.getByRole('link', { name: 'Add data' }).getAttribute('aria-current')).toBe('page')
  })

  it('switches areas and marks the current one', async () => {
    const { api } = fakeApi({
      'app:get-info': () => ({ ok: true, value: appInfo }),
      'staging:get-state': emptyStaging,
      'pipeline:list-data-branches': () => ({ ok: true, value: [] }),
      'workspace:get-info': () => ({ ok: true, value: SAMPLE_WORKSPACE }),
      'models:get-overview': () => ({
        ok: true,
        value: {
          modelName: 'wms-model',
          store: { kind: 'filestore', display: '/demo/mlruns' },
          versions: [],
          productionVersion: null,
          productionSince: null,
          history: [],
          problems: [],
        },
      }),
    })
    const store = renderApp(api)
    await screen.findByTestId('workspace-name')
    act(() => store.getState().showArea('models'))
    expect(await screen.findByRole('heading', { name: 'No model in production yet' })).toBeTruthy()
    expect(screen.getByText('wms-model')).toBeTruthy()
    expect(screen.getByRole('link', { name: 'Models' }).getAttribute('aria-current')).toBe('page')
  })

  it('explains a workspace that cannot be opened and offers to retry', async () => {
    let attempts = 0
    const { api } = fakeApi({
      'app:get-info': () => ({ ok: true, value: appInfo }),
      'staging:get-state': emptyStaging,
      'pipeline:list-data-branches': () => ({ ok: true, value: [] }),
      'workspace:get-info': () => {
        attempts += 1
        return attempts === 1
          ? {
              ok: false,
              error: {
                code: 'workspace/not-found',
                message: '/x is not a WMS Studio workspace',
                hint: 'Open a workspace folder.',
              },
            }
          : { ok: true, value: SAMPLE_WORKSPACE }
      },
    })
    renderApp(api)
    expect((await screen.findByRole('alert')).textContent).toContain('/x is not a WMS Studio workspace')
    act(() => screen.getByRole('button', { name: 'Try again' }).click())
    await waitFor(() => expect(screen.getByTestId('workspace-name').textContent).toContain('Demo water meters'))
  })
})
