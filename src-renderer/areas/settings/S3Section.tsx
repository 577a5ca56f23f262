import type { AccountsView } from '@wms/shared/settings/accounts'
import { useState, type ReactElement } from 'react'
import { useAppStore } from '../../store/app-store.js'
import { ConnectionTest } from './ConnectionTest.js'
import { FormError, TextField, fieldErrors } from './form-parts.js'

type Mode = AccountsView['s3']['mode']

const MODES: { value: Mode; label: string }[] = [
  { value: 'default-chain', label: 'Default AWS chain (environment, ~/.aws, instance role)' },
  { value: 'profile', label: 'A profile of ~/.aws/config' },
  { value: 'keys', label: 'Access key' },
]

/** S3: credentials (chain, profile or keys), region, bucket, endpoint; the secret key is write-only. */
export function S3Section({ s3 }: { s3: AccountsView['s3'] }): ReactElement {
  const [mode, setMode] = useState<Mode>(s3.mode)
  const [profile, setProfile] = useState(s3.profile ?? '')
  const [accessKeyId, setAccessKeyId] = useState('')
  const [secret, setSecret] = useState('')
  const [region, setRegion] = useState(s3.region)
  const [bucket, setBucket] = useState(s3.bucket)
  const [endpoint, setEndpoint] = useState(s3.endpoint ?? '')
  const [pathStyle, setPathStyle] = useState(s3.forcePathStyle)
  const save = useAppStore((state) => state.saveS3)
  const signOut = useAppStore((state) => state.signOut)
  const pending = useAppStore((state) => state.settingsPending.s3 === true)
  const error = useAppStore((state) => state.settingsErrors.s3)
  const fields = fieldErrors(error)
  const onSave = async (): Promise<void> => {
    const saved = await save({
      mode,
      region,
      bucket,
      forcePathStyle: pathStyle,
      ...(mode === 'profile' ? { profile } : {}),
      ...(mode === 'keys' ? { accessKeyId: accessKeyId === '' ? undefined : accessKeyId } : {}),
      ...(mode === 'keys' && secret !== '' ? { secretAccessKey: secret } : {}),
      ...(endpoint.trim() === '' ? {} : { endpoint: endpoint.trim() }),
    })
    if (saved) setSecret('')
  }
  return (
    <section className="settings-section" aria-labelledby="settings-s3">
      <h3 id="settings-s3">S3 (dataset remote)</h3>
      <p className="muted" data-testid="s3-status">
        {s3.configured
          ? `Saved: s3://${s3.bucket} in ${s3.region}${s3.accessKeyIdHint === null ? '' : ` with key ${s3.accessKeyIdHint}`}${s3.hasSecret ? ' (secret stored)' : ''}.`
          : 'Not set up: the runner uses the workspace config and the AWS chain.'}
      </p>
      <form
        className="settings-form"
        aria-label="S3 settings"
        aria-describedby={error === undefined ? undefined : 's3-error'}
        onSubmit={(event) => {
          event.preventDefault()
          void onSave()
        }}
      >
        <fieldset className="settings-fieldset">
          <legend>Credentials</legend>
          {MODES.map((option) => (
            <label key={option.value} className="settings-radio">
              <input
                type="radio"
                name="s3-mode"
                value={option.value}
                checked={mode === option.value}
                onChange={() => setMode(option.value)}
              />
              {option.label}
            </label>
          ))}
        </fieldset>
        {mode === 'profile' ? (
          <TextField
            label="Profile"
            name="profile"
            value={profile}
            error={fields.profile}
            onChange={(event) => setProfile(event.target.value)}
          />
        ) : null}
        {mode === 'keys' ? (
          <>
            <TextField
              label="Access key ID"
              name="accessKeyId"
              autoComplete="off"
              value={accessKeyId}
              placeholder={s3.accessKeyIdHint ?? 'AKIA…'}
              error={fields.accessKeyId}
              onChange={(event) => setAccessKeyId(event.target.value)}
            />
            <TextField
              label="Secret access key"
              name="secretAccessKey"
              type="password"
              autoComplete="off"
              value={secret}
              error={fields.secretAccessKey}
              help={
                s3.hasSecret ? 'A secret is stored; leave empty to keep it.' : 'Stored encrypted; never shown again.'
              }
              onChange={(event) => setSecret(event.target.value)}
            />
          </>
        ) : null}
        <TextField
          label="Region"
          name="region"
          value={region}
          error={fields.region}
          onChange={(event) => setRegion(event.target.value)}
        />
        <TextField
          label="Bucket"
          name="bucket"
          value={bucket}
          error={fields.bucket}
          onChange={(event) => setBucket(event.target.value)}
        />
        <TextField
          label="Endpoint (S3-compatible servers only)"
          name="endpoint"
          value={endpoint}
          placeholder="https://minio.example.com"
          error={fields.endpoint}
          onChange={(event) => setEndpoint(event.target.value)}
        />
        <label className="settings-checkbox">
          <input type="checkbox" checked={pathStyle} onChange={(event) => setPathStyle(event.target.checked)} />
          Path-style addressing (MinIO and most S3-compatible servers)
        </label>
        <FormError id="s3-error" error={error} />
        <div className="settings-actions">
          <button type="submit" className="button button--primary" disabled={pending}>
            Save S3 settings
          </button>
          {s3.configured ? (
            <button type="button" className="button button--danger" onClick={() => void signOut('s3')}>
              Forget S3 settings
            </button>
          ) : null}
        </div>
      </form>
      <ConnectionTest service="s3" disabled={!s3.configured} />
    </section>
  )
}
