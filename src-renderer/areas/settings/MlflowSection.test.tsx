import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react'
import { afterEach, describe, expect, it } from 'vitest'
import type { RequestOf } from '@wms/shared/ipc/contract'
import type { AccountsView } from '@wms/shared/settings/accounts'
import { AppStoreContext, createAppStore } from '../../store/app-store.js'
import { fakeApi } from '../../test-support/fake-api.js'
import { MlflowSection } from './MlflowSection.js'

type MlflowView = AccountsView['mlflow']

const NOTHING_SAVED: MlflowView = {
  configured: false,
  url: null,
  auth: 'none',
  username: null,
  hasSecret: false,
  workspaceUri: 'file:../mlruns',
  inUse: { uri: 'file:../mlruns', source: 'config' },
}

const TEAM = 'http://mlflow.team.example:5000'

/** The section over a store whose `accounts:save-mlflow` records each request and answers `after`. */
function setup(mlflow: MlflowView, after: MlflowView = mlflow) {
  const saved: RequestOf<'accounts:save-mlflow'>[] = []
  const base = fakeApi({ 'models:get-overview': () => ({ ok: false, error: { code: 'internal', message: 'x' } }) })
  const view = { mlflow: after } as AccountsView
  const api = {
    ...base.api,
    accounts: {
      ...base.api.accounts,
      saveMlflow: (request: RequestOf<'accounts:save-mlflow'>) => {
        saved.push(request)
        return Promise.resolve({ ok: true as const, value: view })
      },
    },
  }
  const store = createAppStore(api)
  render(
    <AppStoreContext.Provider value={store}>
      <MlflowSection mlflow={mlflow} />
    </AppStoreContext.Provider>,
  )
  return { saved, store, calls: base.calls }
}

const status = (): string => screen.getByTestId('mlflow-status').textContent
const address = (): HTMLInputElement => screen.getByLabelText('Tracking server address')
const save = (): void => {
  fireEvent.click(screen.getByRole('button', { name: 'Save MLflow settings' }))
}

afterEach(cleanup)

describe('MlflowSection', () => {
  it('says the demo’s FileStore is read while nothing is saved, and it can be tested already', () => {
    setup(NOTHING_SAVED)
    expect(status()).toBe(
      'Pipeline and Models read file:../mlruns: the workspace’s local MLflow FileStore (wms.config.json). No login saved.',
    )
    expect(address().value).toBe('')
    expect(screen.getByText(/Empty: the workspace’s local FileStore \(file:\.\.\/mlruns\)/)).toBeTruthy()
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Test MLflow connection' }).disabled).toBe(false)
  })

  it('prefills the workspace’s server; saving it (with a login) keeps following the workspace', async () => {
    const team: MlflowView = { ...NOTHING_SAVED, workspaceUri: TEAM, inUse: { uri: TEAM, source: 'config' } }
    const { saved } = setup(team)
    expect(status()).toContain(`read ${TEAM}: the workspace’s tracking URI (wms.config.json), the team’s server`)
    expect(address().value).toBe(TEAM)
    fireEvent.click(screen.getByLabelText('Token'))
    fireEvent.change(screen.getByLabelText('MLflow token'), { target: { value: 'secret' } })
    save()
    await waitFor(() => expect(saved).toHaveLength(1))
    expect(saved[0]).toEqual({ url: null, auth: 'token', token: 'secret' })
  })

  it('saves another address for this app, then reads the Models registry and the header’s store again', async () => {
    const other = 'https://mlflow.mine.example/'
    const after: MlflowView = {
      ...NOTHING_SAVED,
      configured: true,
      url: other,
      inUse: { uri: other, source: 'settings' },
    }
    const { saved, store, calls } = setup(NOTHING_SAVED, after)
    store.setState({ models: { status: 'error', error: { code: 'internal', message: 'not read yet' } } })
    fireEvent.change(address(), { target: { value: other } })
    save()
    await waitFor(() => expect(calls).toContain('models:get-overview'))
    await waitFor(() => expect(calls).toContain('workspace:get-info'))
    expect(saved).toEqual([{ url: other, auth: 'none' }])
  })

  it('says a server saved here is read instead of the workspace’s, which CI keeps using', () => {
    setup({
      ...NOTHING_SAVED,
      configured: true,
      url: 'https://mlflow.mine.example',
      auth: 'basic',
      username: 'ann',
      hasSecret: true,
      inUse: { uri: 'https://mlflow.mine.example', source: 'settings' },
    })
    expect(status()).toBe(
      'Pipeline and Models read https://mlflow.mine.example: the server saved here for this app, instead of the ' +
        'workspace’s tracking URI (the workspace’s is file:../mlruns); CI keeps using the workspace’s. Login: user ann.',
    )
    expect(address().value).toBe('https://mlflow.mine.example')
  })
})
