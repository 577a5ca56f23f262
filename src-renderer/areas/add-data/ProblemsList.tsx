import type { ReactElement } from 'react'
import { useAppStore } from '../../store/app-store.js'

/** Files that are staged but not paired, and files that could not be placed: what is wrong and what to do. */
export function ProblemsList(): ReactElement | null {
  const problems = useAppStore((state) => state.staging.problems)
  const rejected = useAppStore((state) => state.staging.rejected)
  const dismissRejected = useAppStore((state) => state.dismissRejected)
  const removePairs = useAppStore((state) => state.removePairs)
  if (problems.length === 0 && rejected.length === 0) return null
  return (
    <section className="problems" aria-label="Files that are not pairs" data-testid="problems">
      {problems.length > 0 ? (
        <>
          <h3>
            {problems.length} file{problems.length === 1 ? '' : 's'} without a partner (not submitted){' '}
            <button
              type="button"
              className="link-button"
              onClick={() => void removePairs(problems.map((problem) => problem.id))}
            >
              remove all
            </button>
          </h3>
          <ul>
            {problems.slice(0, 50).map((problem) => (
              <li key={problem.id} className={`issue issue--${problem.issue.severity}`}>
                <code>{problem.files.join(', ')}</code>: {problem.issue.message}{' '}
                <button
                  type="button"
                  className="link-button"
                  aria-label={`Remove ${problem.files.join(', ')}`}
                  onClick={() => void removePairs([problem.id])}
                >
                  remove
                </button>
              </li>
            ))}
            {problems.length > 50 ? <li className="muted">… and {problems.length - 50} more</li> : null}
          </ul>
        </>
      ) : null}
      {rejected.length > 0 ? (
        <>
          <h3>
            {rejected.length} file{rejected.length === 1 ? '' : 's'} not added{' '}
            <button type="button" className="link-button" onClick={dismissRejected}>
              dismiss
            </button>
          </h3>
          <ul>
            {rejected.slice(0, 20).map((file) => (
              <li key={file.path} className="issue issue--error">
                {file.reason}
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  )
}
