import type { ReactElement, ReactNode } from 'react'
import { Icon, type IconName } from './icons.js'

/** An honest empty state: what will appear here, and how it gets here. */
export function EmptyState({
  icon,
  title,
  children,
}: {
  icon: IconName
  title: string
  children: ReactNode
}): ReactElement {
  return (
    <section className="empty-state" aria-label={title}>
      <div className="empty-state__icon">
        <Icon name={icon} size={40} />
      </div>
      <h2>{title}</h2>
      <div className="empty-state__body">{children}</div>
    </section>
  )
}
