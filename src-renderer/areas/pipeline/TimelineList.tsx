import type { ReactElement } from 'react'
import type { PipelineTimeline } from '@wms/shared/pipeline/timeline'
import { StageGlyph } from './StageList.js'

/** One line about where a run stands: the running stage's word, or how it ended. */
export function runHeadline(timeline: PipelineTimeline): string {
  if (timeline.state === 'queued') return 'queued'
  if (timeline.state === 'interrupted') return 'interrupted, resumes on the next start'
  const failed = timeline.stages.find((stage) => stage.status === 'failed')
  if (timeline.state === 'done') {
    if (timeline.verdict?.outcome === 'merged') return 'merged'
    return failed === undefined ? (timeline.verdict?.outcome ?? 'done') : failed.word
  }
  const running = timeline.stages.find((stage) => stage.status === 'running')
  return running === undefined ? 'running' : running.word
}

/** Every data branch's run, newest first: a row of stage icons and where it stands; picking one opens it. */
export function TimelineList({
  timelines,
  selected,
  onSelect,
}: {
  timelines: PipelineTimeline[]
  selected: string
  onSelect: (branch: string) => void
}): ReactElement {
  return (
    <ul className="run-list">
      {timelines.map((timeline) => (
        <li key={timeline.branch}>
          <button
            type="button"
            className="run-list__item"
            aria-current={timeline.branch === selected ? 'true' : undefined}
            onClick={() => onSelect(timeline.branch)}
            data-run={timeline.branch}
            data-state={timeline.state}
          >
            <code>{timeline.branch}</code>
            <span className="run-list__glyphs" aria-hidden="true">
              {timeline.stages.map((stage) => (
                <StageGlyph key={stage.id} status={stage.status} />
              ))}
            </span>
            <span className="run-list__state">{runHeadline(timeline)}</span>
          </button>
        </li>
      ))}
    </ul>
  )
}
