import exifReader from 'exif-reader'
import type { MetadataFacts } from '@wms/shared/qa/probe'

/**
 * Privacy facts from a file's metadata blocks (as sharp hands them over: EXIF with its `Exif\0\0` header, XMP as
 * XML). EXIF is parsed with exif-reader; a block it cannot parse still counts as metadata, so the fix strips it.
 */

/** EXIF GPS fields that say where a photo was taken (timestamps alone do not). */
const LOCATION_FIELDS = [
  'GPSLatitude',
  'GPSLongitude',
  'GPSAltitude',
  'GPSDestLatitude',
  'GPSDestLongitude',
  'GPSAreaInformation',
] as const

/** Tags that name a person or a device. */
const IDENTIFYING_FIELDS = {
  Image: ['Artist', 'XPAuthor', 'CameraSerialNumber'],
  Photo: ['CameraOwnerName', 'BodySerialNumber', 'LensSerialNumber'],
} as const

const XMP_LOCATION = /exif:(GPSLatitude|GPSLongitude)\b/g

/** Metadata blocks of one file. */
export interface MetadataBlocks {
  exif?: Buffer | undefined
  xmp?: Buffer | undefined
  iptc?: Buffer | undefined
  /** The EXIF block already parsed by exif-reader (saves parsing it twice). */
  exifTags?: ReturnType<typeof exifReader>
}

/** Values phone firmwares write when nobody set the field (MediaTek phones write "Artist-freed"). */
const PLACEHOLDER = /^(artist|copyright|owner|author|unknown|none|n\/a|-)?(-freed)?$/i

const present = (value: unknown): boolean =>
  value !== undefined && value !== null && !(typeof value === 'string' && PLACEHOLDER.test(value.trim()))

/** GPS and identifying fields found in the blocks; `hasMetadata` when any block exists. */
export function metadataFacts(blocks: MetadataBlocks): MetadataFacts {
  const hasMetadata = [blocks.exif, blocks.xmp, blocks.iptc].some((block) => block !== undefined && block.length > 0)
  const gpsFields: string[] = []
  const identifyingFields: string[] = []
  if (blocks.exif !== undefined && blocks.exif.length > 0) {
    try {
      const tags = blocks.exifTags ?? exifReader(blocks.exif)
      const gps = tags.GPSInfo as Record<string, unknown> | undefined
      for (const field of LOCATION_FIELDS) if (gps !== undefined && present(gps[field])) gpsFields.push(field)
      const image = tags.Image as Record<string, unknown> | undefined
      const photo = tags.Photo as Record<string, unknown> | undefined
      for (const field of IDENTIFYING_FIELDS.Image)
        if (image !== undefined && present(image[field])) identifyingFields.push(field)
      for (const field of IDENTIFYING_FIELDS.Photo)
        if (photo !== undefined && present(photo[field])) identifyingFields.push(field)
    } catch {
      // Malformed EXIF: nothing can be said about its fields; hasMetadata stays true so the fix strips it.
    }
  }
  if (blocks.xmp !== undefined && blocks.xmp.length > 0) {
    const text = blocks.xmp.toString('utf8')
    for (const match of text.matchAll(XMP_LOCATION)) {
      const field = `XMP ${match[1] ?? ''}`
      if (!gpsFields.includes(field)) gpsFields.push(field)
    }
  }
  return { hasMetadata, gpsFields, identifyingFields }
}
