import type { AccountsView } from '@wms/shared/settings/accounts'
import { useState, type ReactElement, type SyntheticEvent } from 'react'
import { useAppStore } from '../../store/app-store.js'
import { ConnectionTest } from './ConnectionTest.js'
import { FormError, TextField, fieldErrors } from './form-parts.js'

/** GitHub: who is signed in (never the token), device-flow or token sign-in, the server and OAuth App. */
export function GitHubSection({ github }: { github: AccountsView['github'] }): ReactElement {
  const signOut = useAppStore((state) => state.signOut)
  const account = github.account
  return (
    <section className="settings-section" aria-labelledby="settings-github">
      <h3 id="settings-github">GitHub</h3>
      {account === null ? (
        <p data-testid="github-status">Not signed in. Sign in to push data branches and follow GitHub Actions runs.</p>
      ) : (
        <div className="settings-status">
          <p data-testid="github-status">
            Connected as <strong>{account.login}</strong>
            {account.name === null ? '' : ` (${account.name})`}
            {account.scopes.length === 0 ? ' — fine-grained token' : `, scopes ${account.scopes.join(', ')}`}
            {account.method === 'device-flow' ? ' · signed in with the device flow' : ' · signed in with a token'}
          </p>
          {account.missingScopes.length === 0 ? null : (
            <p className="settings-warning" role="note">
              The token lacks the {account.missingScopes.join(' and ')} scope: pushing or reading workflow runs may
              fail.
            </p>
          )}
          <button type="button" className="button button--danger" onClick={() => void signOut('github')}>
            Sign out of GitHub
          </button>
        </div>
      )}
      <DeviceFlow github={github} />
      <TokenForm />
      <ConnectionTest service="github" disabled={account === null} />
      <GitHubSetup github={github} />
    </section>
  )
}

function DeviceFlow({ github }: { github: AccountsView['github'] }): ReactElement {
  const start = useAppStore((state) => state.startDeviceFlow)
  const cancel = useAppStore((state) => state.cancelDeviceFlow)
  const pending = useAppStore((state) => state.settingsPending['github-device'] === true)
  const error = useAppStore((state) => state.settingsErrors['github-device'])
  const flow = github.deviceFlow
  if (flow?.state === 'waiting') {
    return (
      <div className="device-flow" role="status" aria-live="polite">
        <p>
          Open{' '}
          <a href={flow.verificationUri} target="_blank" rel="noreferrer">
            {flow.verificationUri}
          </a>{' '}
          and enter the code <code className="device-flow__code">{flow.userCode}</code>. This page updates when GitHub
          confirms.
        </p>
        <button type="button" className="button" onClick={() => void cancel()}>
          Cancel sign-in
        </button>
      </div>
    )
  }
  return (
    <div className="device-flow">
      {flow === null ? null : (
        <p className="settings-form__error" role="alert">
          {flow.message}
        </p>
      )}
      <button
        type="button"
        className="button button--primary"
        disabled={pending || github.oauthClientId === null}
        aria-describedby="device-flow-help"
        onClick={() => void start()}
      >
        Sign in with GitHub (device flow)
      </button>
      <p id="device-flow-help" className="settings-field__help">
        {github.oauthClientId === null
          ? 'Needs an OAuth App client ID (below, or WMS_GITHUB_CLIENT_ID). You can paste a token instead.'
          : `OAuth App ${github.oauthClientId} (from ${github.oauthClientIdSource}); asks for the repo and workflow scopes.`}
      </p>
      <FormError id="device-flow-error" error={error} />
    </div>
  )
}

function TokenForm(): ReactElement {
  const [token, setToken] = useState('')
  const signIn = useAppStore((state) => state.signInWithToken)
  const pending = useAppStore((state) => state.settingsPending['github-token'] === true)
  const error = useAppStore((state) => state.settingsErrors['github-token'])
  const onSubmit = async (event: SyntheticEvent): Promise<void> => {
    event.preventDefault()
    if (await signIn(token)) setToken('')
  }
  return (
    <form
      className="settings-form"
      aria-labelledby="github-token-title"
      aria-describedby={error === undefined ? undefined : 'github-token-error'}
      onSubmit={(event) => void onSubmit(event)}
    >
      <h4 id="github-token-title">Sign in with a personal access token</h4>
      <TextField
        label="GitHub token"
        name="token"
        type="password"
        autoComplete="off"
        spellCheck={false}
        required
        value={token}
        error={fieldErrors(error).token}
        help="Classic token with the repo and workflow scopes, or a fine-grained token for the repository. Checked with GitHub, then stored encrypted; it never comes back to this page."
        onChange={(event) => setToken(event.target.value)}
      />
      <FormError id="github-token-error" error={error} />
      <button type="submit" className="button button--primary" disabled={pending || token.trim() === ''}>
        {pending ? 'Checking…' : 'Check and save token'}
      </button>
    </form>
  )
}

function GitHubSetup({ github }: { github: AccountsView['github'] }): ReactElement {
  const [apiUrl, setApiUrl] = useState(github.apiUrl)
  const [webUrl, setWebUrl] = useState(github.webUrl)
  const [clientId, setClientId] = useState(
    github.oauthClientIdSource === 'settings' ? (github.oauthClientId ?? '') : '',
  )
  const save = useAppStore((state) => state.saveGitHubSetup)
  const pending = useAppStore((state) => state.settingsPending['github-setup'] === true)
  const error = useAppStore((state) => state.settingsErrors['github-setup'])
  const fields = fieldErrors(error)
  return (
    <details className="settings-details">
      <summary>GitHub server and OAuth App</summary>
      <form
        className="settings-form"
        aria-label="GitHub server and OAuth App"
        aria-describedby={error === undefined ? undefined : 'github-setup-error'}
        onSubmit={(event) => {
          event.preventDefault()
          void save({ apiUrl, webUrl, oauthClientId: clientId.trim() === '' ? null : clientId.trim() })
        }}
      >
        <TextField
          label="API address"
          name="apiUrl"
          value={apiUrl}
          error={fields.apiUrl}
          help="https://api.github.com, or https://<GitHub Enterprise host>/api/v3"
          onChange={(event) => setApiUrl(event.target.value)}
        />
        <TextField
          label="Web address"
          name="webUrl"
          value={webUrl}
          error={fields.webUrl}
          onChange={(event) => setWebUrl(event.target.value)}
        />
        <TextField
          label="OAuth App client ID"
          name="oauthClientId"
          value={clientId}
          error={fields.oauthClientId}
          help="From GitHub → Settings → Developer settings → OAuth Apps, with “Enable Device Flow” ticked. Empty: WMS_GITHUB_CLIENT_ID."
          onChange={(event) => setClientId(event.target.value)}
        />
        <FormError id="github-setup-error" error={error} />
        <button type="submit" className="button" disabled={pending}>
          Save GitHub settings
        </button>
      </form>
    </details>
  )
}
