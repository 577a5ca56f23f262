import type { ReactElement } from 'react'
import { useAppStore } from '../../store/app-store.js'

const plural = (count: number, one: string, many = `${one}s`): string => `${String(count)} ${count === 1 ? one : many}`

/**
 * Files that are staged but not paired, and files that could not be placed: what is wrong and what to do. Files
 * refused for the same reason (picked files whose names do not say photo or mask) get one message, with the way
 * out as a button, and their names behind a toggle.
 */
export function ProblemsList({ onChooseFolder }: { onChooseFolder: () => void }): ReactElement | null {
  const problems = useAppStore((state) => state.staging.problems)
  const rejected = useAppStore((state) => state.staging.rejected)
  const dismissRejected = useAppStore((state) => state.dismissRejected)
  const removePairs = useAppStore((state) => state.removePairs)
  if (problems.length === 0 && rejected.length === 0) return null
  const unplaced = rejected.filter((file) => file.kind === 'unknown-role')
  const others = rejected.filter((file) => file.kind !== 'unknown-role')
  return (
    <section className="problems" aria-label="Files that are not pairs" data-testid="problems" tabIndex={0}>
      {unplaced.length > 0 ? (
        <div className="problems__group" data-testid="unplaced">
          <h2>
            {plural(unplaced.length, 'file')} not added: WMS Studio cannot tell photos from masks by{' '}
            {unplaced.length === 1 ? 'its name' : 'their names'}
          </h2>
          <p>
            Add the folder that holds <code>images/</code> and <code>masks/</code> instead, or name the files{' '}
            <code>x_image.jpg</code> and <code>x_mask.png</code>.
          </p>
          <button type="button" className="button button--small" onClick={onChooseFolder}>
            Choose folder instead
          </button>{' '}
          <button type="button" className="button button--small" onClick={dismissRejected}>
            Dismiss
          </button>
          <details>
            <summary>The files</summary>
            <ul>
              {unplaced.slice(0, 50).map((file) => (
                <li key={file.path}>
                  <code>{file.path}</code>
                </li>
              ))}
            </ul>
          </details>
        </div>
      ) : null}
      {problems.length > 0 ? (
        <>
          <h2>
            {plural(problems.length, 'file')} without a partner (not submitted){' '}
            <button
              type="button"
              className="link-button"
              onClick={() => void removePairs(problems.map((problem) => problem.id))}
            >
              remove all
            </button>
          </h2>
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
      {others.length > 0 ? (
        <>
          <h2>
            {plural(others.length, 'file')} not added{' '}
            <button type="button" className="link-button" onClick={dismissRejected}>
              dismiss
            </button>
          </h2>
          <ul>
            {others.slice(0, 20).map((file) => (
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
