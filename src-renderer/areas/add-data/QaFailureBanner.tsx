import { useMemo, type ReactElement } from 'react'
import { useAppStore } from '../../store/app-store.js'

/**
 * When a QA run failed (the worker crashed, a file could not be read), the pairs it left unchecked say so here
 * with the reason and a retry — a failure that only reached the console would be a lost failure.
 */
export function QaFailureBanner(): ReactElement | null {
  const pairs = useAppStore((state) => state.staging.pairs)
  const retryQa = useAppStore((state) => state.retryQa)
  const failed = useMemo(() => [...pairs.values()].filter((pair) => pair.qaError !== undefined), [pairs])
  const [first] = failed
  if (first === undefined) return null
  return (
    <section className="qa-failure" role="alert" data-testid="qa-failure">
      <p>
        <strong>
          QA could not check {failed.length} pair{failed.length === 1 ? '' : 's'}:
        </strong>{' '}
        {first.qaError}
      </p>
      <p className="muted">
        They stay staged and cannot be submitted until QA has checked them. Retry; if it fails again, restart WMS
        Studio.
      </p>
      <button type="button" className="button" onClick={() => void retryQa()}>
        Retry QA
      </button>
    </section>
  )
}
