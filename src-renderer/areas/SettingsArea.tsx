import { useEffect, type ReactElement } from 'react'
import { ErrorPanel } from '../components/ErrorPanel.js'
import { useAppStore } from '../store/app-store.js'

/** Settings: the workspace's configuration as the app and the runner read it. */
export function SettingsArea(): ReactElement {
  const config = useAppStore((state) => state.config)
  const loadConfig = useAppStore((state) => state.loadConfig)
  const workspace = useAppStore((state) => state.workspace)
  useEffect(() => {
    if (config.status === 'idle') void loadConfig()
  }, [config.status, loadConfig])

  if (config.status === 'error') return <ErrorPanel error={config.error} onRetry={() => void loadConfig()} />
  if (config.status !== 'ready') return <p className="muted">Loading settings…</p>
  const value = config.value
  const root = workspace.status === 'ready' ? workspace.value.root : ''
  return (
    <section className="settings" aria-label="Settings">
      <h2>Settings</h2>
      <p className="muted">
        Read from <code>{root}/wms.config.json</code> (format version {value.version}). Edit that file to change them;
        secrets such as tokens and keys are never stored there.
      </p>
      <dl className="settings__grid">
        <dt>Workspace name</dt>
        <dd>{value.name}</dd>
        <dt>Dataset folder</dt>
        <dd>
          <code>{value.dataset.root}</code>
        </dd>
        <dt>DVC remote</dt>
        <dd>
          {value.dataset.remote.type === 'local'
            ? `local directory ${value.dataset.remote.path}`
            : `s3://${value.dataset.remote.bucket}/${value.dataset.remote.prefix} (${value.dataset.remote.region})`}
        </dd>
        <dt>Tracking</dt>
        <dd>
          {value.tracking.uri} · experiment <code>{value.tracking.experiment}</code> · model{' '}
          <code>{value.tracking.registeredModel}</code>
        </dd>
        <dt>GitHub</dt>
        <dd>{value.github === null ? 'not connected (local pipeline runner)' : value.github.repo}</dd>
        <dt>Training</dt>
        <dd>
          {value.training.imageSize}² px, batch {value.training.batchSize}, up to {value.training.epochs} epochs,
          backend {value.training.backend}
        </dd>
        <dt>Quality gate</dt>
        <dd>
          Dice and IoU must both beat production
          {value.gate.diceMargin > 0 || value.gate.iouMargin > 0
            ? ` by ${String(value.gate.diceMargin)} / ${String(value.gate.iouMargin)}`
            : ' (strictly greater)'}
          ; {value.gate.allowUnavailableBaseline ? 'passes' : 'fails closed'} when production cannot be evaluated
        </dd>
      </dl>
    </section>
  )
}
