import type { StagedPair } from '@wms/shared/staging/staging-types'
import type { CSSProperties, ReactElement } from 'react'
import { useLoadSlot } from '../../hooks/use-load-slot.js'
import { useAppStore } from '../../store/app-store.js'

/** Media path of one picture of a pair (the revision makes the URL change whenever a file does). */
export function pairMediaPath(pair: StagedPair, variant: 'image-thumb' | 'mask-thumb' | 'image' | 'mask'): string {
  return `pairs/${encodeURIComponent(pair.id)}/${variant}?r=${String(pair.revision)}`
}

/** What a picture shows: the photo, the mask alone, or the photo with the mask laid over it. */
export type PictureLayer = 'photo' | 'mask' | 'overlay'

/**
 * A pair's picture. In `overlay`, the mask is the luminance mask of a coloured layer over the photo, so white
 * (foreground) shows the colour and black shows the photo.
 */
export function PairThumbnail({
  pair,
  layer,
  opacity = 0.45,
  size = 'thumb',
}: {
  pair: StagedPair
  layer: PictureLayer
  opacity?: number
  size?: 'thumb' | 'full'
}): ReactElement {
  const mediaUrl = useAppStore((state) => state.api.mediaUrl)
  const full = size === 'full'
  const image = pair.image === null ? null : mediaUrl(pairMediaPath(pair, full ? 'image' : 'image-thumb'))
  const mask = pair.mask === null ? null : mediaUrl(pairMediaPath(pair, full ? 'mask' : 'mask-thumb'))
  // The photo takes a load slot; the mask (small, and drawn as a CSS mask) follows once the photo is in.
  const photo = useLoadSlot(layer === 'mask' ? mask : image)
  if (layer === 'mask') {
    return (
      <div className="pair-thumb pair-thumb--mask">
        {mask === null ? (
          <div className="pair-thumb__missing">no mask</div>
        ) : photo.admitted ? (
          <img src={mask} alt="" draggable={false} onLoad={photo.done} onError={photo.done} />
        ) : null}
      </div>
    )
  }
  const maskStyle: CSSProperties | undefined =
    mask === null || !photo.admitted
      ? undefined
      : { maskImage: `url("${mask}")`, WebkitMaskImage: `url("${mask}")`, opacity }
  return (
    <div className="pair-thumb">
      {image === null ? (
        <div className="pair-thumb__missing">no image</div>
      ) : photo.admitted ? (
        <img src={image} alt="" decoding="async" draggable={false} onLoad={photo.done} onError={photo.done} />
      ) : null}
      {layer === 'overlay' && maskStyle !== undefined ? (
        <div className="pair-thumb__overlay" style={maskStyle} aria-hidden="true" />
      ) : null}
    </div>
  )
}
