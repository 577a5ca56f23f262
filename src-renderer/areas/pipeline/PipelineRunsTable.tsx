import { useEffect, type ReactElement } from 'react'
import { PIPELINE_RUN_STEPS, type PipelineRunRecord } from '@wms/shared/pipeline/run-record'
import { useAppStore } from '../../store/app-store.js'

const OUTCOME_LABEL = { merged: 'merged', 'not-improved': 'not better', refused: 'refused', failed: 'failed' } as const

/** The step a run is at (the first not done), or the step that decided. */
function stepOf(record: PipelineRunRecord): string {
  if (record.verdict !== null) return record.verdict.step
  return PIPELINE_RUN_STEPS.find((step) => record.steps[step].status !== 'ok') ?? 'publish'
}

/**
 * The local runner's runs: each branch with its current step (live, from `pipeline:event`) or its verdict and what
 * to do. The full timeline is the Pipeline area's next stage; this list is what a user needs to follow a run.
 */
export function PipelineRunsTable(): ReactElement | null {
  const runs = useAppStore((state) => state.pipelineRuns)
  const live = useAppStore((state) => state.livePipeline)
  const load = useAppStore((state) => state.loadPipelineRuns)
  useEffect(() => {
    void load()
  }, [load])
  if (runs.status !== 'ready') return null
  const { running, queued } = runs.value
  if (runs.value.runs.length === 0 && queued.length === 0) return null
  return (
    <section className="pipeline" aria-label="Pipeline runs">
      <h2>Pipeline runs</h2>
      <table className="pipeline__table">
        <thead>
          <tr>
            <th scope="col">Branch</th>
            <th scope="col">Step</th>
            <th scope="col">Verdict</th>
          </tr>
        </thead>
        <tbody>
          {queued.map((branch) => (
            <tr key={`queued-${branch}`} data-run={branch}>
              <td>
                <code>{branch}</code>
              </td>
              <td>queued</td>
              <td className="muted">waiting for the run before it</td>
            </tr>
          ))}
          {runs.value.runs.map((record) => {
            const current = live[record.branch]
            const isRunning = running === record.branch && record.verdict === null
            return (
              <tr key={record.branch} data-run={record.branch}>
                <td>
                  <code>{record.branch}</code>
                  <div className="muted">{record.commit.slice(0, 8)}</div>
                </td>
                <td>
                  {isRunning && current !== undefined ? `${current.step}: ${current.message}` : stepOf(record)}
                  {record.status === 'interrupted' ? ' (interrupted, resumes on the next start)' : ''}
                </td>
                <td>
                  {record.verdict === null ? (
                    isRunning ? (
                      'running…'
                    ) : (
                      '—'
                    )
                  ) : (
                    <>
                      <strong>{OUTCOME_LABEL[record.verdict.outcome]}</strong>: {record.verdict.headline}
                      <div className="muted">{record.verdict.action}</div>
                    </>
                  )}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </section>
  )
}
