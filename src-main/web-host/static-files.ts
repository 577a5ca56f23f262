import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import type { ServerResponse } from 'node:http'
import path from 'node:path'

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
}

/**
 * Serves the built renderer. Only files inside `root` are reachable; unknown paths fall back to index.html
 * (client-side routes), and hashed assets are cached for good.
 */
export async function serveStatic(root: string, urlPath: string, response: ServerResponse): Promise<boolean> {
  let relative: string
  try {
    relative = decodeURIComponent(urlPath.split('?')[0] ?? '/')
  } catch {
    return false
  }
  if (relative.includes('\0')) return false
  let file = path.resolve(root, `.${relative}`)
  if (file !== root && !file.startsWith(root + path.sep)) return false
  let info = await stat(file).catch(() => undefined)
  if (info?.isDirectory() === true) {
    file = path.join(file, 'index.html')
    info = await stat(file).catch(() => undefined)
  }
  if (info === undefined || !info.isFile()) {
    if (path.extname(relative) !== '') return false
    file = path.join(root, 'index.html')
    info = await stat(file).catch(() => undefined)
    if (info === undefined) return false
  }
  const immutable = file.includes(`${path.sep}assets${path.sep}`)
  response.writeHead(200, {
    'Content-Type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    'Content-Length': String(info.size),
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  })
  await new Promise<void>((resolve, reject) => {
    createReadStream(file).on('error', reject).on('end', resolve).pipe(response)
  })
  return true
}
