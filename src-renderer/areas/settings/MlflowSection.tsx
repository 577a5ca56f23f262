import type { AccountsView } from '@wms/shared/settings/accounts'
import { useState, type ReactElement } from 'react'
import { useAppStore } from '../../store/app-store.js'
import { ConnectionTest } from './ConnectionTest.js'
import { FormError, TextField, fieldErrors } from './form-parts.js'

type Auth = AccountsView['mlflow']['auth']

const AUTHS: { value: Auth; label: string }[] = [
  { value: 'none', label: 'No login' },
  { value: 'token', label: 'Token' },
  { value: 'basic', label: 'User name and password' },
]

/** `https://host/x/` and `https://host/x` are one address. */
function sameAddress(a: string, b: string): boolean {
  return a.trim().replace(/\/+$/, '') === b.trim().replace(/\/+$/, '')
}

/**
 * What Save sends as the address: null — follow the workspace's tracking URI — when the field is empty or still
 * holds the workspace's own address, so a later change of the workspace config (or a switch to another workspace)
 * is followed; otherwise the server typed, for this app only.
 */
export function addressToSave(typed: string, workspaceUri: string | null): string | null {
  if (typed.trim() === '') return null
  return workspaceUri !== null && sameAddress(typed, workspaceUri) ? null : typed.trim()
}

const isServer = (uri: string): boolean => /^https?:\/\//i.test(uri)

/** Which MLflow the Pipeline and Models read now, and why, in words. */
export function mlflowInUseText(mlflow: AccountsView['mlflow']): string {
  const inUse = mlflow.inUse
  if (inUse === null) return 'The open workspace’s config cannot be read, so it is not known which MLflow is read.'
  const workspace = mlflow.workspaceUri === null ? '' : ` (the workspace’s is ${mlflow.workspaceUri})`
  const why =
    inUse.source === 'settings'
      ? `the server saved here for this app, instead of the workspace’s tracking URI${workspace}; CI keeps using the workspace’s`
      : inUse.source === 'environment'
        ? `MLFLOW_TRACKING_URI in the app’s environment${workspace}`
        : isServer(inUse.uri)
          ? 'the workspace’s tracking URI (wms.config.json), the team’s server that CI uses too'
          : 'the workspace’s local MLflow FileStore (wms.config.json)'
  return `Pipeline and Models read ${inUse.uri}: ${why}.`
}

/** The saved login in words. */
function loginText(mlflow: AccountsView['mlflow']): string {
  if (!mlflow.configured) return 'No login saved.'
  if (mlflow.auth === 'none') return 'Login: none.'
  return mlflow.auth === 'token' ? 'Login: token.' : `Login: user ${mlflow.username ?? ''}.`
}

/**
 * MLflow: which tracking server the app reads — the workspace's tracking URI unless another address is saved here
 * for this app — and its login; the token or password is write-only.
 */
export function MlflowSection({ mlflow }: { mlflow: AccountsView['mlflow'] }): ReactElement {
  const workspaceServer = mlflow.workspaceUri !== null && isServer(mlflow.workspaceUri) ? mlflow.workspaceUri : ''
  // Prefilled with the address in use: the one saved here, else the workspace's server (a FileStore has none).
  const [url, setUrl] = useState(mlflow.url ?? workspaceServer)
  const [auth, setAuth] = useState<Auth>(mlflow.auth)
  const [token, setToken] = useState('')
  const [username, setUsername] = useState(mlflow.username ?? '')
  const [password, setPassword] = useState('')
  const save = useAppStore((state) => state.saveMlflow)
  const signOut = useAppStore((state) => state.signOut)
  const pending = useAppStore((state) => state.settingsPending.mlflow === true)
  const error = useAppStore((state) => state.settingsErrors.mlflow)
  const fields = fieldErrors(error)
  const onSave = async (): Promise<void> => {
    const saved = await save({
      url: addressToSave(url, mlflow.workspaceUri),
      auth,
      ...(auth === 'token' && token !== '' ? { token } : {}),
      ...(auth === 'basic' ? { username } : {}),
      ...(auth === 'basic' && password !== '' ? { password } : {}),
    })
    if (saved) {
      setToken('')
      setPassword('')
    }
  }
  const kept = mlflow.hasSecret ? 'A secret is stored; leave empty to keep it.' : 'Stored encrypted; never shown again.'
  return (
    <section className="settings-section" aria-labelledby="settings-mlflow">
      <h3 id="settings-mlflow">MLflow</h3>
      <p className="muted" data-testid="mlflow-status">
        {mlflowInUseText(mlflow)} {loginText(mlflow)}
      </p>
      <form
        className="settings-form"
        aria-label="MLflow settings"
        aria-describedby={error === undefined ? undefined : 'mlflow-error'}
        onSubmit={(event) => {
          event.preventDefault()
          void onSave()
        }}
      >
        <TextField
          label="Tracking server address"
          name="url"
          value={url}
          placeholder={workspaceServer === '' ? 'https://mlflow.example.com' : workspaceServer}
          error={fields.url}
          help={addressHelp(mlflow.workspaceUri, workspaceServer)}
          onChange={(event) => setUrl(event.target.value)}
        />
        <fieldset className="settings-fieldset">
          <legend>Login</legend>
          {AUTHS.map((option) => (
            <label key={option.value} className="settings-radio">
              <input
                type="radio"
                name="mlflow-auth"
                value={option.value}
                checked={auth === option.value}
                onChange={() => setAuth(option.value)}
              />
              {option.label}
            </label>
          ))}
        </fieldset>
        {auth === 'token' ? (
          <TextField
            label="MLflow token"
            name="token"
            type="password"
            autoComplete="off"
            value={token}
            error={fields.token}
            help={kept}
            onChange={(event) => setToken(event.target.value)}
          />
        ) : null}
        {auth === 'basic' ? (
          <>
            <TextField
              label="User name"
              name="username"
              value={username}
              error={fields.username}
              onChange={(event) => setUsername(event.target.value)}
            />
            <TextField
              label="Password"
              name="password"
              type="password"
              autoComplete="off"
              value={password}
              error={fields.password}
              help={kept}
              onChange={(event) => setPassword(event.target.value)}
            />
          </>
        ) : null}
        <FormError id="mlflow-error" error={error} />
        <div className="settings-actions">
          <button type="submit" className="button button--primary" disabled={pending}>
            Save MLflow settings
          </button>
          {mlflow.configured ? (
            <button type="button" className="button button--danger" onClick={() => void signOut('mlflow')}>
              Forget MLflow settings
            </button>
          ) : null}
        </div>
      </form>
      {/* There is always an MLflow in use (the workspace's at least): it can be tested before anything is saved. */}
      <ConnectionTest service="mlflow" disabled={mlflow.inUse === null} />
    </section>
  )
}

/** What the address field does, for the workspace at hand. */
function addressHelp(workspaceUri: string | null, workspaceServer: string): string {
  const typed = 'Another address (what `mlflow server` prints, e.g. http://host:5000) is read by this app only.'
  if (workspaceServer !== '') return `Prefilled with the workspace’s tracking URI. ${typed} Empty: the workspace’s.`
  if (workspaceUri !== null) return `Empty: the workspace’s local FileStore (${workspaceUri}). ${typed}`
  return typed
}
