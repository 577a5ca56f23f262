import { useEffect, type ReactElement } from 'react'
import { EmptyState } from '../components/EmptyState.js'
import { ErrorPanel } from '../components/ErrorPanel.js'
import { useAppStore } from '../store/app-store.js'
import { DataBranchesTable } from './pipeline/DataBranchesTable.js'
import { FreshnessBar } from './pipeline/FreshnessBar.js'
import { TimelineDetail } from './pipeline/TimelineDetail.js'
import { TimelineList } from './pipeline/TimelineList.js'
import { VerdictNotices } from './pipeline/VerdictNotices.js'
import './pipeline/pipeline.css'

/** Pipeline: one timeline per data branch, pushed → merge & QA → training → gate → promotion → merged. */
export function PipelineArea(): ReactElement {
  const runner = useAppStore((state) =>
    state.workspace.status === 'ready' ? state.workspace.value.pipelineRunner : undefined,
  )
  const branches = useAppStore((state) => state.dataBranches)
  const loadBranches = useAppStore((state) => state.loadDataBranches)
  const status = useAppStore((state) => state.pipelineStatus)
  const loadStatus = useAppStore((state) => state.loadPipelineStatus)
  const selected = useAppStore((state) => state.selectedBranch)
  const select = useAppStore((state) => state.selectBranch)
  const lastPush = useAppStore((state) =>
    state.staging.submission?.phase === 'pushed' ? state.staging.submission.commit : null,
  )
  useEffect(() => {
    void loadStatus()
  }, [loadStatus])
  useEffect(() => {
    void loadBranches()
  }, [loadBranches, lastPush])

  const runnerNote =
    runner === 'github-actions'
      ? 'Each pushed branch starts the data pipeline in GitHub Actions: merge, QA, training, quality gate, promotion.'
      : 'This workspace uses the local pipeline runner: each pushed branch is merged, checked, trained, gated and promoted here, one at a time (or run it yourself: training-runner pipeline run --branch <branch>).'

  if (status.status === 'error') return <ErrorPanel error={status.error} onRetry={() => void loadStatus()} />
  const timelines = status.status === 'ready' ? status.value.timelines : []
  const branchList = branches.status === 'ready' && branches.value.length > 0 ? branches.value : null
  const merged = new Set(
    timelines.filter((timeline) => timeline.verdict?.outcome === 'merged').map((timeline) => timeline.branch),
  )
  if (timelines.length === 0) {
    return (
      <>
        <EmptyState
          icon="pipeline"
          title={branchList === null ? 'No pipeline runs yet' : 'No pipeline runs yet for these branches'}
        >
          <p>
            Each data branch you submit appears here with its steps (merge, QA, training, quality gate, promotion) and
            live progress: epochs and loss, the gate&apos;s verdict and why.
          </p>
          <p className="muted">{runnerNote}</p>
        </EmptyState>
        {status.status === 'ready' ? <FreshnessBar freshness={status.value.freshness} /> : null}
        {branchList === null ? null : <DataBranchesTable branches={branchList} merged={merged} />}
      </>
    )
  }
  const open = timelines.find((timeline) => timeline.branch === selected) ?? timelines[0]
  return (
    <>
      <section className="pipeline-area" aria-labelledby="pipeline-heading">
        <h2 id="pipeline-heading">Pipeline</h2>
        <p className="muted">{runnerNote}</p>
        {status.status === 'ready' ? <FreshnessBar freshness={status.value.freshness} /> : null}
        <VerdictNotices />
        <div className="pipeline-layout">
          <nav className="pipeline-layout__runs" aria-labelledby="pipeline-runs-heading">
            <h3 id="pipeline-runs-heading">Runs</h3>
            <TimelineList timelines={timelines} selected={open?.branch ?? ''} onSelect={select} />
          </nav>
          {open === undefined ? null : <TimelineDetail timeline={open} />}
        </div>
      </section>
      {branchList === null ? null : <DataBranchesTable branches={branchList} merged={merged} />}
    </>
  )
}
