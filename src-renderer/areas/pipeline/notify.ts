import type { VerdictNotice } from '../../store/pipeline-slice.js'

/** The title and body of a verdict's notification. */
export function noticeText(notice: VerdictNotice): { title: string; body: string } {
  return {
    title: `${notice.pass ? 'Gate passed' : 'Gate rejected'}: ${notice.branch}`,
    body: notice.headline,
  }
}

/**
 * A system notification for a verdict, where the host allows one: Electron grants the Notification API and shows
 * it as an OS notification; a browser shows it once the user allowed notifications for the page (the page's own
 * notice is shown either way).
 */
export function showSystemNotification(notice: VerdictNotice): boolean {
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return false
  const { title, body } = noticeText(notice)
  new Notification(title, { body, tag: notice.id })
  return true
}

/** Asks the browser to allow system notifications (needs a click: browsers ignore it otherwise). */
export async function askForSystemNotifications(): Promise<NotificationPermission | 'unsupported'> {
  if (typeof Notification === 'undefined') return 'unsupported'
  return Notification.requestPermission()
}
