import { useEffect, useRef, useState, type ReactElement } from 'react'
import { useAppStore } from '../../store/app-store.js'
import { askForSystemNotifications, noticeText, showSystemNotification } from './notify.js'

/**
 * Verdicts that arrived while the app was open: a notice in the page (announced to screen readers) and a system
 * notification (Electron: the OS's; a browser: once allowed).
 */
export function VerdictNotices(): ReactElement {
  const notices = useAppStore((state) => state.verdictNotices)
  const dismiss = useAppStore((state) => state.dismissVerdictNotice)
  const select = useAppStore((state) => state.selectBranch)
  const notified = useRef(new Set<string>())
  const [permission, setPermission] = useState(() =>
    typeof Notification === 'undefined' ? 'unsupported' : Notification.permission,
  )
  useEffect(() => {
    for (const notice of notices) {
      if (notified.current.has(notice.id)) continue
      notified.current.add(notice.id)
      showSystemNotification(notice)
    }
  }, [notices])
  return (
    <>
      <div className="verdict-notices" aria-live="polite" data-testid="verdict-notices">
        {notices.map((notice) => {
          const { title, body } = noticeText(notice)
          return (
            <div
              key={notice.id}
              className={`verdict-notice verdict-notice--${notice.pass ? 'passed' : 'rejected'}`}
              role="status"
            >
              <span aria-hidden="true">{notice.pass ? '✓' : '✕'}</span>
              <div>
                <strong>{title}</strong>
                <div>{body}</div>
              </div>
              <button type="button" className="button button--small" onClick={() => select(notice.branch)}>
                Show
              </button>
              <button type="button" className="button button--small" onClick={() => dismiss(notice.id)}>
                Dismiss
              </button>
            </div>
          )
        })}
      </div>
      {permission === 'default' ? (
        <button
          type="button"
          className="button button--small verdict-notices__ask"
          onClick={() => void askForSystemNotifications().then(setPermission)}
        >
          Notify me of verdicts outside this page
        </button>
      ) : null}
    </>
  )
}
