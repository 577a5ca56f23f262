import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import type { StagingStore } from '../staging/staging-store.js'

/** A media response, the same for both hosts (HTTP for the web host, a custom protocol in Electron). */
export interface MediaResponse {
  status: number
  contentType: string
  body: Buffer
}

/** What the renderer can ask for, per staged pair. */
export const MEDIA_VARIANTS = ['image-thumb', 'mask-thumb', 'image', 'mask'] as const

/** One media variant. */
export type MediaVariant = (typeof MEDIA_VARIANTS)[number]

const THUMB_SIZE = 320
const FULL_MAX = 2560

/**
 * Pictures of staged pairs for the UI: thumbnails and full-size views, EXIF orientation applied, made with sharp
 * (libvips' threads, not the event loop) and cached on disk by content hash, so a file is never encoded twice.
 * Paths look like `pairs/<id>/<variant>`; anything else is a 404.
 */
export class MediaService {
  private readonly inflight = new Map<string, Promise<Buffer>>()

  constructor(
    private readonly store: StagingStore,
    private readonly cacheDir: string,
    /** Where a file of the existing dataset is on disk (fetched from the remote if need be). */
    private readonly datasetFile: (relpath: string) => Promise<string | undefined>,
  ) {}

  async get(mediaPath: string): Promise<MediaResponse> {
    const path = mediaPath.split('?')[0] ?? ''
    if (path.startsWith('dataset/')) return this.getDatasetPicture(path)
    return this.getPairPicture(path)
  }

  // `dataset/<relpath>/thumb`: a picture of the existing dataset, next to the staged pair that duplicates it.
  private async getDatasetPicture(mediaPath: string): Promise<MediaResponse> {
    const match = /^dataset\/([^/]+)\/thumb$/.exec(mediaPath)
    if (match?.[1] === undefined) return notFound()
    let relpath: string
    try {
      relpath = decodeURIComponent(match[1])
    } catch {
      return notFound()
    }
    try {
      const file = await this.datasetFile(relpath)
      if (file === undefined) return notFound()
      const isMask = relpath.startsWith('masks/')
      const body = await render(file, isMask ? 'mask-thumb' : 'image-thumb')
      return { status: 200, contentType: isMask ? 'image/png' : 'image/jpeg', body }
    } catch {
      return {
        status: 502,
        contentType: 'text/plain; charset=utf-8',
        body: Buffer.from('The dataset file could not be fetched.'),
      }
    }
  }

  private async getPairPicture(mediaPath: string): Promise<MediaResponse> {
    const match = /^pairs\/([^/]+)\/([a-z-]+)$/.exec(mediaPath)
    if (match?.[1] === undefined || match[2] === undefined) return notFound()
    let id: string
    try {
      id = decodeURIComponent(match[1])
    } catch {
      return notFound()
    }
    const variant = match[2] as MediaVariant
    if (!(MEDIA_VARIANTS as readonly string[]).includes(variant)) return notFound()
    const pair = this.store.pairing().pairs.find((candidate) => candidate.stem === id)
    const relpath = variant.startsWith('image') ? pair?.image : pair?.mask
    const stored = relpath === undefined ? undefined : this.store.files[relpath]
    if (relpath === undefined || stored === undefined) return notFound()

    const isMask = variant.startsWith('mask')
    const ext = isMask ? 'png' : 'jpg'
    const key = `${stored.md5}-${variant}.${ext}`
    try {
      const body = await this.cached(key, async () => render(await this.store.regularBlobPath(relpath), variant))
      return { status: 200, contentType: isMask ? 'image/png' : 'image/jpeg', body }
    } catch {
      return {
        status: 422,
        contentType: 'text/plain; charset=utf-8',
        body: Buffer.from('This file cannot be decoded.'),
      }
    }
  }

  private async cached(key: string, make: () => Promise<Buffer>): Promise<Buffer> {
    const file = path.join(this.cacheDir, key)
    try {
      return await readFile(file)
    } catch {
      // Not cached yet.
    }
    const running = this.inflight.get(key)
    if (running !== undefined) return running
    const job = (async () => {
      const body = await make()
      await mkdir(this.cacheDir, { recursive: true })
      const temp = `${file}.${String(process.pid)}.tmp`
      await writeFile(temp, body)
      await rename(temp, file)
      return body
    })()
    this.inflight.set(key, job)
    try {
      return await job
    } finally {
      this.inflight.delete(key)
    }
  }
}

async function render(source: string, variant: MediaVariant): Promise<Buffer> {
  // Decoding limits guard the UI against decompression bombs (QA reports them; the picture just fails).
  const input = sharp(source, { limitInputPixels: 100_000_000, failOn: 'none' }).rotate()
  switch (variant) {
    case 'image-thumb':
      return input
        .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: 78 })
        .toBuffer()
    case 'image':
      return input
        .resize(FULL_MAX, FULL_MAX, { fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: 90 })
        .toBuffer()
    case 'mask-thumb':
      return input
        .resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true, kernel: 'nearest' })
        .toColourspace('b-w')
        .png()
        .toBuffer()
    case 'mask':
      return input.toColourspace('b-w').png().toBuffer()
  }
}

function notFound(): MediaResponse {
  return { status: 404, contentType: 'text/plain; charset=utf-8', body: Buffer.from('Not found') }
}
