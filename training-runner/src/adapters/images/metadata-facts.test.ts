import sharp, { type Exif } from 'sharp'
import { describe, expect, it } from 'vitest'
import { metadataFacts } from './metadata-facts.js'

async function exifOf(exif: Exif): Promise<Buffer | undefined> {
  const jpeg = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#888' } })
    .withExif(exif)
    .jpeg()
    .toBuffer()
  return (await sharp(jpeg).metadata()).exif
}

describe('metadataFacts', () => {
  it('finds GPS coordinates and identifying tags, and ignores firmware placeholders', async () => {
    const facts = metadataFacts({
      exif: await exifOf({
        IFD0: { Artist: 'Jan Kowalski', Copyright: 'Copyright-freed' },
        IFD2: { BodySerialNumber: 'R58M1' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '52/1 13/1 0/1', GPSTimeStamp: '10/1 0/1 0/1' },
      }),
    })
    expect(facts).toEqual({
      hasMetadata: true,
      gpsFields: ['GPSLatitude'],
      identifyingFields: ['Artist', 'BodySerialNumber'],
    })
    const placeholder = metadataFacts({ exif: await exifOf({ IFD0: { Artist: 'Artist-freed' } }) })
    expect(placeholder.identifyingFields).toEqual([])
  })

  it('reads GPS from XMP and survives malformed EXIF', () => {
    const xmp = Buffer.from(
      '<x:xmpmeta><rdf:Description exif:GPSLatitude="52,13N" exif:GPSLongitude="21,0E"/></x:xmpmeta>',
    )
    expect(metadataFacts({ xmp }).gpsFields).toEqual(['XMP GPSLatitude', 'XMP GPSLongitude'])
    expect(metadataFacts({ exif: Buffer.from('Exif\0\0garbage') })).toEqual({
      hasMetadata: true,
      gpsFields: [],
      identifyingFields: [],
    })
    expect(metadataFacts({})).toEqual({ hasMetadata: false, gpsFields: [], identifyingFields: [] })
  })
})
