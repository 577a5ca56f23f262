import type { WorkspaceConfig } from '@wms/shared/config/workspace-config'
import type { ReactElement } from 'react'

/** The workspace's `wms.config.json` as the app and the runner read it. */
export function ConfigSummary({ value, root }: { value: WorkspaceConfig; root: string }): ReactElement {
  return (
    <section className="settings-section" aria-labelledby="settings-config">
      <h3 id="settings-config">Workspace configuration</h3>
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
