import type { ReactElement } from 'react'
import { useAppStore } from '../store/app-store.js'
import { AREAS, type AreaId } from '../store/navigation-slice.js'
import { Icon } from './icons.js'

/** Sidebar labels of the four areas. */
export const AREA_LABELS: Record<AreaId, string> = {
  'add-data': 'Add data',
  pipeline: 'Pipeline',
  models: 'Models',
  settings: 'Settings',
}

/** The app's navigation: one link per area, the current one marked for assistive technology too. */
export function Sidebar(): ReactElement {
  const area = useAppStore((state) => state.area)
  const appInfo = useAppStore((state) => state.appInfo)
  return (
    <nav className="sidebar" aria-label="Main">
      <div className="sidebar__brand">
        <img src="./favicon.svg" alt="" width={28} height={28} />
        <span>WMS Studio</span>
      </div>
      <ul className="sidebar__list">
        {AREAS.map((id) => (
          <li key={id}>
            <a
              href={`#/${id}`}
              className={id === area ? 'sidebar__link sidebar__link--active' : 'sidebar__link'}
              aria-current={id === area ? 'page' : undefined}
              title={AREA_LABELS[id]}
            >
              <Icon name={id} />
              <span>{AREA_LABELS[id]}</span>
            </a>
          </li>
        ))}
      </ul>
      <div className="sidebar__footer">
        {appInfo.status === 'ready'
          ? `v${appInfo.value.version} · ${appInfo.value.host === 'web' ? 'web host' : 'desktop'}`
          : ''}
      </div>
    </nav>
  )
}
