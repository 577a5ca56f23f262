import { useId, type ReactElement } from 'react'
import type { PipelineTimeline } from '@wms/shared/pipeline/timeline'
import { ExternalLinkAnchor } from './ExternalLinkAnchor.js'
import { formatDuration } from './format.js'
import { GatePanel } from './GatePanel.js'
import { StageList } from './StageList.js'
import { TrainingCurves } from './TrainingCurves.js'

const OUTCOME_WORDS = {
  merged: 'merged',
  'not-improved': 'not improved',
  refused: 'refused',
  failed: 'failed',
} as const

/** One branch's pipeline: its stages, live training, the gate's verdict, and how the run ended. */
export function TimelineDetail({ timeline }: { timeline: PipelineTimeline }): ReactElement {
  const heading = useId()
  const toVerdict =
    timeline.finishedAt !== null && timeline.pushedAt !== null ? timeline.finishedAt - timeline.pushedAt : null
  return (
    <article
      className="timeline"
      aria-labelledby={heading}
      data-branch-timeline={timeline.branch}
      data-state={timeline.state}
    >
      <h3 id={heading}>
        <code>{timeline.branch}</code>
      </h3>
      <p className="muted">
        commit <code>{timeline.commit.slice(0, 8)}</code>
        {timeline.pushedAt === null ? null : <> · pushed {new Date(timeline.pushedAt).toLocaleString()}</>}
        {toVerdict === null ? null : (
          <>
            {' · '}
            <span data-testid="submit-to-verdict">verdict {formatDuration(toVerdict)} after the push</span>
          </>
        )}
      </p>
      {timeline.links.length === 0 ? null : (
        <p className="timeline__links">
          {timeline.links.map((link) => (
            <ExternalLinkAnchor key={link.href} link={link} />
          ))}
        </p>
      )}
      <StageList stages={timeline.stages} />
      {timeline.message === null ? null : (
        <p className="timeline__message" aria-live="polite" data-testid="timeline-message">
          {timeline.message}
        </p>
      )}
      {timeline.training === null ? null : <TrainingCurves training={timeline.training} />}
      {timeline.gate === null ? null : <GatePanel gate={timeline.gate} />}
      {timeline.verdict === null ? null : (
        <section
          className={`outcome outcome--${timeline.verdict.outcome}`}
          aria-label="How the run ended"
          data-testid="run-verdict"
        >
          <h4>
            Result: <span data-testid="run-outcome">{OUTCOME_WORDS[timeline.verdict.outcome]}</span>
          </h4>
          <p>{timeline.verdict.headline}</p>
          {timeline.verdict.details.length === 0 ? null : (
            <ul>
              {timeline.verdict.details.map((detail) => (
                <li key={detail}>{detail}</li>
              ))}
            </ul>
          )}
          <p>
            <strong>What to do:</strong> {timeline.verdict.action}
          </p>
        </section>
      )}
    </article>
  )
}
