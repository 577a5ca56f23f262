import type { AccountService } from '@wms/shared/settings/accounts'
import type { ReactElement } from 'react'
import { useAppStore } from '../../store/app-store.js'

const NAMES: Record<AccountService, string> = { github: 'GitHub', s3: 'S3', mlflow: 'MLflow' }

/** "Test connection" and what it found: a live region, so screen readers hear the outcome. */
export function ConnectionTest({ service, disabled }: { service: AccountService; disabled: boolean }): ReactElement {
  const test = useAppStore((state) => state.connectionTests[service])
  const run = useAppStore((state) => state.testConnection)
  const running = test === 'running'
  return (
    <div className="connection-test">
      <button type="button" className="button" disabled={disabled || running} onClick={() => void run(service)}>
        {running ? 'Testing…' : `Test ${NAMES[service]} connection`}
      </button>
      <div role="status" aria-live="polite" className="connection-test__result" data-testid={`test-${service}`}>
        {test === undefined || test === 'running' ? null : (
          <div
            className={test.ok ? 'connection-test__ok' : 'connection-test__failed'}
            data-problem={test.problem ?? ''}
          >
            <p>
              <strong>{test.ok ? 'Works: ' : 'Failed: '}</strong>
              {test.summary}
            </p>
            {test.hint === null ? null : <p className="settings-form__hint">{test.hint}</p>}
            {test.details.length === 0 ? null : (
              <ul>
                {test.details.map((detail) => (
                  <li key={detail}>{detail}</li>
                ))}
              </ul>
            )}
            <p className="muted">{`${String(test.elapsedMs)} ms`}</p>
          </div>
        )}
      </div>
    </div>
  )
}
