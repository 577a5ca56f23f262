import type { ReactElement } from 'react'
import type { StageStatus, TimelineStage, TimelineStageId } from '@wms/shared/pipeline/timeline'
import { ExternalLinkAnchor } from './ExternalLinkAnchor.js'
import { formatDuration } from './format.js'

/** Each stage's name, for people. */
export const STAGE_TITLES: Record<TimelineStageId, string> = {
  pushed: 'Pushed',
  'merge-qa': 'Merge & QA',
  training: 'Training',
  gate: 'Gate verdict',
  promotion: 'Promotion',
  merged: 'Merged',
}

const GLYPHS: Record<StageStatus, string> = {
  waiting: '○',
  running: '◔',
  done: '✓',
  failed: '✕',
  skipped: '–',
}

/** A stage's status icon: decorative, the word next to it says the same for everyone. */
export function StageGlyph({ status }: { status: StageStatus }): ReactElement {
  return (
    <span className={`stage-glyph stage-glyph--${status}`} aria-hidden="true">
      {GLYPHS[status]}
    </span>
  )
}

/** The stages of one run, in order, each with its icon and word, time and summary. */
export function StageList({ stages }: { stages: TimelineStage[] }): ReactElement {
  return (
    <ol className="stage-list">
      {stages.map((stage) => (
        <li
          key={stage.id}
          className={`stage stage--${stage.status}`}
          data-stage={stage.id}
          data-status={stage.status}
          aria-current={stage.status === 'running' ? 'step' : undefined}
        >
          <StageGlyph status={stage.status} />
          <div className="stage__body">
            <div className="stage__title">
              <strong>{STAGE_TITLES[stage.id]}</strong>
              <span className="stage__word" data-testid={`stage-word-${stage.id}`}>
                {stage.word}
              </span>
            </div>
            {stage.summary === null ? null : <div className="stage__summary muted">{stage.summary}</div>}
            <div className="stage__meta muted">
              {stage.startedAt === null ? null : (
                <time dateTime={new Date(stage.startedAt).toISOString()}>
                  {new Date(stage.startedAt).toLocaleTimeString()}
                </time>
              )}
              {stage.seconds === null ? null : <span> · took {formatDuration(stage.seconds * 1000)}</span>}
              {stage.link === null ? null : (
                <>
                  {' · '}
                  <ExternalLinkAnchor link={stage.link} />
                </>
              )}
            </div>
          </div>
        </li>
      ))}
    </ol>
  )
}
