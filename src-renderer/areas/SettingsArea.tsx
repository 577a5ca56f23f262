import { useEffect, type ReactElement } from 'react'
import { ErrorPanel } from '../components/ErrorPanel.js'
import { useAppStore } from '../store/app-store.js'
import { AddDataSection } from './settings/AddDataSection.js'
import { ConfigSummary } from './settings/ConfigSummary.js'
import { GitHubSection } from './settings/GitHubSection.js'
import { MlflowSection } from './settings/MlflowSection.js'
import { S3Section } from './settings/S3Section.js'
import { WorkspaceSection } from './settings/WorkspaceSection.js'
import './settings/settings.css'

/** Settings: the workspace (open, create, clone), accounts (GitHub, S3, MLflow) and the workspace's config. */
export function SettingsArea(): ReactElement {
  const config = useAppStore((state) => state.config)
  const accounts = useAppStore((state) => state.accounts)
  const workspaces = useAppStore((state) => state.workspaces)
  const workspace = useAppStore((state) => state.workspace)
  const loadConfig = useAppStore((state) => state.loadConfig)
  const loadAccounts = useAppStore((state) => state.loadAccounts)
  const loadWorkspaces = useAppStore((state) => state.loadWorkspaces)
  useEffect(() => {
    if (config.status === 'idle') void loadConfig()
  }, [config.status, loadConfig])
  useEffect(() => {
    if (accounts.status === 'idle') void loadAccounts()
  }, [accounts.status, loadAccounts])
  useEffect(() => {
    if (workspaces.status === 'idle') void loadWorkspaces()
  }, [workspaces.status, loadWorkspaces])

  const root = workspace.status === 'ready' ? workspace.value.root : ''
  return (
    <section className="settings" aria-labelledby="settings-title">
      <h2 id="settings-title">Settings</h2>
      {workspaces.status === 'error' ? (
        <ErrorPanel error={workspaces.error} onRetry={() => void loadWorkspaces()} />
      ) : workspaces.status === 'ready' ? (
        <WorkspaceSection workspaces={workspaces.value} />
      ) : null}
      <AddDataSection />
      {accounts.status === 'error' ? (
        <ErrorPanel error={accounts.error} onRetry={() => void loadAccounts()} />
      ) : accounts.status === 'ready' ? (
        <>
          <p className="settings-storage" data-testid="secret-storage">
            Secrets are kept encrypted: {accounts.value.storage.description}. They are never shown here or written to a
            log.
          </p>
          {accounts.value.storage.problem === null ? null : (
            <p className="settings-warning" role="alert">
              {accounts.value.storage.problem} Sign in again to replace them.
            </p>
          )}
          <GitHubSection key={`github-${root}`} github={accounts.value.github} />
          <S3Section key={`s3-${root}`} s3={accounts.value.s3} />
          <MlflowSection key={`mlflow-${root}`} mlflow={accounts.value.mlflow} />
        </>
      ) : (
        <p className="muted">Loading accounts…</p>
      )}
      {config.status === 'error' ? (
        <ErrorPanel error={config.error} onRetry={() => void loadConfig()} />
      ) : config.status === 'ready' ? (
        <ConfigSummary value={config.value} root={root} />
      ) : (
        <p className="muted">Loading settings…</p>
      )}
    </section>
  )
}
