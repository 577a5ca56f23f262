import { useEffect, type ReactElement } from 'react'
import { EmptyState } from '../components/EmptyState.js'
import { ErrorPanel } from '../components/ErrorPanel.js'
import { useAppStore } from '../store/app-store.js'
import { PipelineRunsTable } from './pipeline/PipelineRunsTable.js'

/** Pipeline: every data branch (submitted here or on the remote) and where it stands. */
export function PipelineArea(): ReactElement {
  const runner = useAppStore((state) =>
    state.workspace.status === 'ready' ? state.workspace.value.pipelineRunner : undefined,
  )
  const branches = useAppStore((state) => state.dataBranches)
  const load = useAppStore((state) => state.loadDataBranches)
  const hasRuns = useAppStore(
    (state) => state.pipelineRuns.status === 'ready' && state.pipelineRuns.value.runs.length > 0,
  )
  const lastPush = useAppStore((state) =>
    state.staging.submission?.phase === 'pushed' ? state.staging.submission.commit : null,
  )
  useEffect(() => {
    void load()
  }, [load, lastPush])

  const runnerNote =
    runner === 'github-actions'
      ? 'Each pushed branch starts the data pipeline in GitHub Actions: merge, QA, training, quality gate, promotion.'
      : 'This workspace uses the local pipeline runner: each pushed branch is merged, checked, trained, gated and promoted here, one at a time (or run it yourself: training-runner pipeline run --branch <branch>).'

  if (branches.status === 'error') return <ErrorPanel error={branches.error} onRetry={() => void load()} />
  if (branches.status !== 'ready' || branches.value.length === 0) {
    return (
      <>
        <PipelineRunsTable />
        <EmptyState icon="pipeline" title={hasRuns ? 'No data branches waiting' : 'No pipeline runs yet'}>
          <p>
            Each data branch you submit appears here with its steps (merge, QA, training, quality gate, promotion) and
            live progress: bytes uploaded, epochs and loss, the gate&apos;s verdict and why.
          </p>
          <p className="muted">{runnerNote}</p>
        </EmptyState>
      </>
    )
  }
  return (
    <>
      <PipelineRunsTable />
      <section className="pipeline" aria-label="Data branches">
        <h2>Data branches</h2>
        <p className="muted">{runnerNote}</p>
        <table className="pipeline__table">
          <thead>
            <tr>
              <th scope="col">Branch</th>
              <th scope="col">Submitted</th>
              <th scope="col">Commit</th>
              <th scope="col">Remote</th>
            </tr>
          </thead>
          <tbody>
            {branches.value.map((branch) => (
              <tr key={branch.branch} data-branch={branch.branch}>
                <td>
                  <code>{branch.branch}</code>
                  <div className="muted">{branch.subject}</div>
                </td>
                <td>{new Date(branch.committedAt).toLocaleString()}</td>
                <td>
                  <code>{branch.commit.slice(0, 8)}</code>
                </td>
                <td>{branch.pushed ? 'pushed' : 'not pushed yet'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </>
  )
}
