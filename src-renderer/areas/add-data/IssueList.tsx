import type { StagedIssue, StagedPair } from '@wms/shared/staging/staging-types'
import type { ReactElement } from 'react'
import { useAppStore } from '../../store/app-store.js'
import { findingWords, type FindingAction } from './finding-words.js'
import { pairMediaPath } from './PairThumbnail.js'

const SEVERITY_WORDS = { error: 'Error', warning: 'Warning', info: 'Note' } as const

const ACTION_LABELS: Record<Exclude<FindingAction, 'none'>, string> = {
  fix: 'Fix',
  remove: 'Remove pair',
  'replace-mask': 'Replace mask…',
  'mark-replacement': 'Mark as replacement',
}

const AGAINST_DATASET = new Set([
  'duplicate/exact-existing',
  'duplicate/near-existing',
  'duplicate/already-present',
  'duplicate/name-collision',
  'duplicate/replacement',
])

/** The dataset photo an issue compares with (duplicate of, similar to, same name as), if any. */
function existingPicture(issue: StagedIssue): string | undefined {
  if (!AGAINST_DATASET.has(issue.ruleId)) return undefined
  const { duplicateOf, similarTo, existing } = issue.details
  const candidates: unknown[] = [duplicateOf, similarTo, ...(Array.isArray(existing) ? (existing as unknown[]) : [])]
  return candidates.find((value): value is string => typeof value === 'string' && value.startsWith('images/'))
}

/**
 * What QA found on a pair, worst first: each finding as one plain line with the action that resolves it beside it,
 * and what was measured behind "Details". Duplicates show the other picture.
 */
export function IssueList({
  pair,
  onAction,
}: {
  pair: StagedPair
  onAction: (action: Exclude<FindingAction, 'none'>) => void
}): ReactElement {
  const pairs = useAppStore((state) => state.staging.pairs)
  const mediaUrl = useAppStore((state) => state.api.mediaUrl)
  if (pair.status === 'pending' || pair.status === 'checking') return <p className="muted">QA is checking this pair…</p>
  if (pair.issues.length === 0) return <p className="issue-list__clean">No findings: this pair is ready.</p>
  return (
    <ul className="issue-list">
      {pair.issues.map((issue, index) => {
        const words = findingWords(issue)
        const other = typeof issue.details.sampleOf === 'string' ? pairs.get(issue.details.sampleOf) : undefined
        const inDataset = existingPicture(issue)
        const { action } = words
        return (
          <li key={`${issue.ruleId}-${String(index)}`} className={`issue issue--${issue.severity}`}>
            <div className="issue__head">
              <span className="issue__severity">{SEVERITY_WORDS[issue.severity]}</span>
              <span className="issue__title">{words.title}</span>
              {action === 'none' ? null : (
                <button type="button" className="button button--small" onClick={() => onAction(action)}>
                  {ACTION_LABELS[action]}
                </button>
              )}
            </div>
            <details className="issue__details">
              <summary>Details</summary>
              <p>{words.sentence}</p>
              {words.numbers.length > 0 ? (
                <ul className="issue__numbers">
                  {words.numbers.map((value) => (
                    <li key={value}>{value}</li>
                  ))}
                </ul>
              ) : null}
              <p className="muted">
                Rule <code>{issue.ruleId}</code>
              </p>
            </details>
            {other !== undefined ? (
              <figure className="issue__other">
                <img src={mediaUrl(pairMediaPath(other, 'image-thumb'))} alt={`The pair it duplicates: ${other.id}`} />
                <figcaption>{other.id}</figcaption>
              </figure>
            ) : null}
            {inDataset !== undefined ? (
              <figure className="issue__other">
                <img
                  src={mediaUrl(`dataset/${encodeURIComponent(inDataset)}/thumb`)}
                  alt={`The dataset's ${inDataset}`}
                />
                <figcaption>in the dataset: {inDataset}</figcaption>
              </figure>
            ) : null}
          </li>
        )
      })}
    </ul>
  )
}
