import type { ReactElement } from 'react'
import { useAppStore } from '../store/app-store.js'
import { ErrorPanel } from './ErrorPanel.js'
import { Icon } from './icons.js'

/** Which workspace is open: its name, path, branch and every remote the data and models travel to. */
export function WorkspaceHeader(): ReactElement {
  const workspace = useAppStore((state) => state.workspace)
  const loadWorkspace = useAppStore((state) => state.loadWorkspace)
  if (workspace.status === 'error') {
    return (
      <header className="workspace-header">
        <ErrorPanel error={workspace.error} onRetry={() => void loadWorkspace()} />
      </header>
    )
  }
  if (workspace.status !== 'ready') {
    return (
      <header className="workspace-header" aria-busy="true">
        <span className="muted">Opening workspace…</span>
      </header>
    )
  }
  const info = workspace.value
  const origin = info.git.remotes.find((remote) => remote.name === 'origin') ?? info.git.remotes[0]
  return (
    <header className="workspace-header" aria-label="Workspace">
      <div className="workspace-header__title">
        <h1 data-testid="workspace-name">{info.name}</h1>
        {info.isDemo ? <span className="badge badge--demo">Demo workspace</span> : null}
        <span className="workspace-header__path" title={info.root} data-testid="workspace-root">
          {info.root}
        </span>
      </div>
      <dl className="workspace-header__facts">
        <div>
          <dt>
            <Icon name="branch" size={16} /> Branch
          </dt>
          <dd data-testid="workspace-branch">
            {info.git.branch ?? 'detached'}
            {info.git.dirty ? <span className="muted"> · uncommitted changes</span> : null}
          </dd>
        </div>
        <div>
          <dt>
            <Icon name="remote" size={16} /> Git remote
          </dt>
          <dd data-testid="workspace-git-remote">{origin === undefined ? 'none' : `${origin.name} → ${origin.url}`}</dd>
        </div>
        <div>
          <dt>
            <Icon name="database" size={16} /> Data remote
          </dt>
          <dd data-testid="workspace-data-remote">
            {info.dataRemote.kind === 's3' ? 'S3' : 'Local DVC remote'}: {info.dataRemote.display}
          </dd>
        </div>
        <div>
          <dt>
            <Icon name="chart" size={16} /> Tracking
          </dt>
          <dd data-testid="workspace-tracking">
            {info.tracking.kind === 'server' ? 'MLflow server' : 'MLflow FileStore'}: {info.tracking.display}
          </dd>
        </div>
      </dl>
    </header>
  )
}
