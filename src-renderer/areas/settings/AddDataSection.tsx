import { useEffect, useId, type ReactElement } from 'react'
import { useAppStore } from '../../store/app-store.js'

/** The workspace's Add data setting (issue 23's `fixOnAdd`), also offered next to the staged pairs. */
export function AddDataSection(): ReactElement {
  const settings = useAppStore((state) => state.staging.settings)
  const setSettings = useAppStore((state) => state.setStagingSettings)
  const loadStaging = useAppStore((state) => state.loadStaging)
  const helpId = useId()
  // The staging state carries the settings; Settings may be the first area opened.
  useEffect(() => {
    void loadStaging()
  }, [loadStaging])
  return (
    <section className="settings-section" aria-labelledby="settings-add-data">
      <h3 id="settings-add-data">Adding data</h3>
      <label className="settings-checkbox">
        <input
          type="checkbox"
          checked={settings.fixOnAdd}
          aria-describedby={helpId}
          onChange={(event) => void setSettings({ fixOnAdd: event.target.checked })}
        />
        Fix format findings on add
      </label>
      <p id={helpId} className="settings-field__help">
        Lossy (JPEG) masks become binary PNGs, location metadata is removed and the EXIF orientation is baked in as
        pairs are staged; the originals are kept. Stored for this workspace.
      </p>
    </section>
  )
}
