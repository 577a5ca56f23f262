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

/** MLflow: the tracking server's address and login; the token or password is write-only. */
export function MlflowSection({ mlflow }: { mlflow: AccountsView['mlflow'] }): ReactElement {
  const [url, setUrl] = useState(mlflow.url)
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
      url,
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
        {mlflow.configured
          ? `Saved: ${mlflow.url} (${mlflow.auth === 'none' ? 'no login' : mlflow.auth === 'token' ? 'token' : `user ${mlflow.username ?? ''}`}).`
          : 'Not set up: the workspace config’s tracking URI is used.'}
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
          placeholder="https://mlflow.example.com"
          error={fields.url}
          help="What `mlflow server` prints, e.g. http://host:5000."
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
      <ConnectionTest service="mlflow" disabled={!mlflow.configured} />
    </section>
  )
}
