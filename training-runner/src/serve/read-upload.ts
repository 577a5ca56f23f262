import type { FastifyRequest } from 'fastify'
import sharp, { type Metadata } from 'sharp'
import { ServeError } from './serve-error.js'

/** Formats `/predict` accepts (what the model was trained on). */
export const ACCEPTED_FORMATS = ['jpeg', 'png'] as const

/** Raw-body content types `/predict` accepts, besides `multipart/form-data`. */
export const RAW_CONTENT_TYPES = ['image/jpeg', 'image/png', 'application/octet-stream'] as const

/** Multipart field names holding the photo (`file` is the old API's legacy name). */
export const UPLOAD_FIELDS = ['image', 'file'] as const

const HINT_SEND = `Send a JPEG or PNG as the raw body (Content-Type ${RAW_CONTENT_TYPES.join(', ')}) or as multipart/form-data field "image".`

/** The photo's bytes from a raw body or the multipart field `image` (or `file`), or a 4xx {@link ServeError}. */
export async function readUpload(request: FastifyRequest, maxBytes: number): Promise<Buffer> {
  if (request.isMultipart()) return readMultipart(request, maxBytes)
  const body = request.body
  if (body === undefined || body === null || (Buffer.isBuffer(body) && body.length === 0)) {
    throw new ServeError(400, 'empty-body', 'The request has no image: the body is empty.', HINT_SEND)
  }
  if (!Buffer.isBuffer(body)) {
    const type = request.headers['content-type'] ?? 'none'
    throw new ServeError(415, 'unsupported-content-type', `Content-Type ${type} is not an image upload.`, HINT_SEND)
  }
  return body
}

async function readMultipart(request: FastifyRequest, maxBytes: number): Promise<Buffer> {
  for await (const part of request.parts({ limits: { fileSize: maxBytes, files: 1, fields: 10 } })) {
    if (part.type !== 'file') continue
    if (!(UPLOAD_FIELDS as readonly string[]).includes(part.fieldname)) {
      part.file.resume()
      continue
    }
    const bytes = await part.toBuffer()
    if (bytes.length === 0) {
      throw new ServeError(400, 'empty-body', `The uploaded file "${part.filename}" is empty.`, HINT_SEND)
    }
    return bytes
  }
  throw new ServeError(
    400,
    'no-file',
    'No file uploaded. Use form field "image" (or the legacy "file").',
    'Post multipart/form-data with the photo in field "image", or send it as the raw body.',
  )
}

/**
 * Reads only the header and refuses what must not be decoded: not an image, a format the model does not take, or
 * more pixels than the QA limit (a decompression bomb: a small file that would decode to gigabytes).
 */
export async function checkImageHeader(bytes: Buffer, maxPixels: number): Promise<{ width: number; height: number }> {
  let meta: Metadata
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata()
  } catch {
    throw new ServeError(422, 'not-an-image', 'The body is not an image (no JPEG or PNG header found).', HINT_SEND)
  }
  if (!(ACCEPTED_FORMATS as readonly string[]).includes(meta.format)) {
    throw new ServeError(
      422,
      'unsupported-format',
      `The image is ${meta.format}; this model takes JPEG or PNG photos.`,
      'Convert the photo to JPEG or PNG.',
    )
  }
  const pixels = meta.width * meta.height
  if (pixels > maxPixels) {
    throw new ServeError(
      422,
      'too-many-pixels',
      `The image is ${String(meta.width)}×${String(meta.height)} = ${String(pixels)} pixels, over the limit of ${String(maxPixels)} (the QA pixel limit; refused before decoding).`,
      'Downscale the photo; water-meter photos need far fewer pixels.',
    )
  }
  return { width: meta.width, height: meta.height }
}
