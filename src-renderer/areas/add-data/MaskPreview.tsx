import { useEffect, useMemo, useRef, type ReactElement } from 'react'
import { useDialog } from '../../components/use-dialog.js'
import { useAppStore } from '../../store/app-store.js'
import { pairMediaPath } from './PairThumbnail.js'

/**
 * The new mask over the photo, beside the current one, before it replaces anything: a wrong file is caught here,
 * not after. Replacing can still be undone.
 */
export function MaskPreview(): ReactElement | null {
  const preview = useAppStore((state) => state.staging.maskPreview)
  const pair = useAppStore((state) => (preview === null ? undefined : state.staging.pairs.get(preview.id)))
  const mediaUrl = useAppStore((state) => state.api.mediaUrl)
  const previewMask = useAppStore((state) => state.previewMask)
  const close = (): void => previewMask(null)
  const replaceFile = useAppStore((state) => state.replaceFile)
  const url = useMemo(() => (preview === null ? null : URL.createObjectURL(preview.file)), [preview])
  const dialog = useRef<HTMLDivElement>(null)
  const onKeyDown = useDialog(dialog, close)
  useEffect(() => (url === null ? undefined : () => URL.revokeObjectURL(url)), [url])
  if (preview === null || pair === undefined) return null
  const photo = pair.image === null ? null : mediaUrl(pairMediaPath(pair, 'image'))
  const current = pair.mask === null ? null : mediaUrl(pairMediaPath(pair, 'mask'))
  const overlay = (mask: string | null, label: string): ReactElement => (
    <figure className="mask-preview__pane">
      <div className="pair-thumb">
        {photo === null ? null : <img src={photo} alt="" />}
        {mask === null ? null : (
          <div
            className="pair-thumb__overlay"
            style={{ maskImage: `url("${mask}")`, WebkitMaskImage: `url("${mask}")`, opacity: 0.5 }}
            aria-hidden="true"
          />
        )}
      </div>
      <figcaption>{label}</figcaption>
    </figure>
  )
  return (
    <div className="detail-backdrop detail-backdrop--top" onClick={close}>
      <div
        ref={dialog}
        className="mask-preview"
        role="dialog"
        aria-modal="true"
        aria-labelledby="mask-preview-title"
        tabIndex={-1}
        onClick={(event) => event.stopPropagation()}
        onKeyDown={onKeyDown}
      >
        <h2 id="mask-preview-title">Replace the mask of {pair.id}?</h2>
        <div className="mask-preview__panes">
          {overlay(current, 'Now')}
          {overlay(url, `New: ${preview.file.name}`)}
        </div>
        <div className="review__buttons">
          <button type="button" className="button" onClick={close}>
            Cancel
          </button>
          <button
            type="button"
            className="button button--primary"
            onClick={() => void replaceFile(preview.id, 'mask', preview.file)}
          >
            Replace mask
          </button>
        </div>
      </div>
    </div>
  )
}
