import type { WorkspacesView } from '@wms/shared/settings/accounts'
import { useState, type ReactElement } from 'react'
import { useAppStore } from '../../store/app-store.js'
import { FormError, TextField, fieldErrors } from './form-parts.js'

type Action = 'open' | 'create' | 'clone'

/** The open workspace, recent ones, and opening, creating or cloning another. */
export function WorkspaceSection({ workspaces }: { workspaces: WorkspacesView }): ReactElement {
  const [action, setAction] = useState<Action>('open')
  const [folder, setFolder] = useState('')
  const [name, setName] = useState('')
  const [runner, setRunner] = useState<'local' | 'github-actions'>('local')
  const [url, setUrl] = useState('')
  const openWorkspace = useAppStore((state) => state.openWorkspace)
  const createWorkspace = useAppStore((state) => state.createWorkspace)
  const cloneWorkspace = useAppStore((state) => state.cloneWorkspace)
  const pending = useAppStore((state) => state.settingsPending.workspace === true)
  const error = useAppStore((state) => state.settingsErrors.workspace)
  const fields = fieldErrors(error)
  const { current, recent, activity } = workspaces

  const run = (stopRunning: boolean): Promise<boolean> => {
    if (action === 'open') return openWorkspace(folder, stopRunning)
    if (action === 'create')
      return createWorkspace({ path: folder, runner, stopRunning, ...(name.trim() === '' ? {} : { name }) })
    return cloneWorkspace({ url, path: folder, stopRunning })
  }
  const busy = error?.code === 'workspace/busy' && activity.pipelineRun !== null && !activity.submitting
  return (
    <section className="settings-section" aria-labelledby="settings-workspace">
      <h3 id="settings-workspace">Workspace</h3>
      <p data-testid="current-workspace">
        Open: <strong>{current.name}</strong> {current.isDemo ? <span className="settings-badge">demo</span> : null}{' '}
        <code>{current.root}</code>
      </p>
      <p className="muted">
        {activity.pipelineRun === null
          ? 'No pipeline run in progress'
          : `The pipeline is running ${activity.pipelineRun}`}
        {activity.submitting ? ' · a submission is being pushed' : ''}
        {activity.qaPending > 0
          ? ` · QA checking ${String(activity.qaPending)} pairs (kept, checked again when you return)`
          : ''}
        .
      </p>
      {recent.length === 0 ? null : (
        <ul className="settings-recent" aria-label="Recent workspaces">
          {recent.map((entry) => (
            <li key={entry.root}>
              <button
                type="button"
                className="button button--small"
                disabled={pending}
                onClick={() => void openWorkspace(entry.root)}
              >
                Open {entry.name}
              </button>{' '}
              <code>{entry.root}</code>
            </li>
          ))}
        </ul>
      )}
      <form
        className="settings-form"
        aria-label="Open, create or clone a workspace"
        aria-describedby={error === undefined ? undefined : 'workspace-error'}
        onSubmit={(event) => {
          event.preventDefault()
          void run(false)
        }}
      >
        <fieldset className="settings-fieldset">
          <legend>What to do</legend>
          {(
            [
              ['open', 'Open a workspace folder'],
              ['create', 'Create a new workspace'],
              ['clone', 'Clone a repository'],
            ] as const
          ).map(([value, label]) => (
            <label key={value} className="settings-radio">
              <input
                type="radio"
                name="workspace-action"
                value={value}
                checked={action === value}
                onChange={() => setAction(value)}
              />
              {label}
            </label>
          ))}
        </fieldset>
        {action === 'clone' ? (
          <TextField
            label="Repository address"
            name="url"
            value={url}
            required
            placeholder="https://github.com/acme/meters.git"
            error={fields.url}
            onChange={(event) => setUrl(event.target.value)}
          />
        ) : null}
        <TextField
          label={action === 'open' ? 'Workspace folder' : 'New folder'}
          name="path"
          value={folder}
          required
          placeholder="/home/you/wms-workspace"
          error={fields.path}
          help={action === 'open' ? 'The folder that holds wms.config.json.' : 'A full path to a new or empty folder.'}
          onChange={(event) => setFolder(event.target.value)}
        />
        {action === 'create' ? (
          <>
            <TextField
              label="Workspace name"
              name="name"
              value={name}
              error={fields.name}
              onChange={(event) => setName(event.target.value)}
            />
            <label className="settings-select">
              Pipeline runner{' '}
              <select value={runner} onChange={(event) => setRunner(event.target.value as 'local' | 'github-actions')}>
                <option value="local">Local runner (this computer)</option>
                <option value="github-actions">GitHub Actions</option>
              </select>
            </label>
          </>
        ) : null}
        <FormError id="workspace-error" error={error} />
        <div className="settings-actions">
          <button type="submit" className="button button--primary" disabled={pending}>
            {pending
              ? 'Working…'
              : action === 'open'
                ? 'Open workspace'
                : action === 'create'
                  ? 'Create workspace'
                  : 'Clone and open'}
          </button>
          {busy ? (
            <button type="button" className="button button--danger" disabled={pending} onClick={() => void run(true)}>
              Stop the run and switch
            </button>
          ) : null}
        </div>
      </form>
    </section>
  )
}
