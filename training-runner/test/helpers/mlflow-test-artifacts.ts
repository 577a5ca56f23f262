import type { ServerResponse } from 'node:http'
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

/** The MLflow test server's artifact side: proxied artifacts (`--serve-artifacts`) and a local root's listing. */

export const HTML_405 =
  '<!doctype html>\n<html lang=en>\n<title>405 Method Not Allowed</title>\n<h1>Method Not Allowed</h1>\n<p>The method is not allowed for the requested URL.</p>\n'

export function proxiedLocal(artifactsDir: string, uri: string): string | undefined {
  const match = /^mlflow-artifacts:\/?(.*)$/.exec(uri)
  if (match === null) return undefined
  return path.join(artifactsDir, ...(match[1] ?? '').split('/').filter((segment) => segment !== ''))
}

export async function handleArtifacts(
  method: string,
  artifactPath: string,
  query: URLSearchParams,
  raw: Buffer,
  res: ServerResponse,
  artifactsDir: string,
): Promise<void> {
  const target = artifactPath === '' ? (query.get('path') ?? '') : artifactPath
  if (target.split('/').includes('..') || target.startsWith('/')) {
    sendError(res, 400, 'INVALID_PARAMETER_VALUE', `Invalid path: ${target}`)
    return
  }
  const local = path.join(artifactsDir, ...target.split('/').filter((segment) => segment !== ''))
  if (method === 'PUT' && artifactPath !== '') {
    await mkdir(path.dirname(local), { recursive: true })
    await writeFile(local, raw)
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}')
    return
  }
  if (method !== 'GET') {
    res.writeHead(405, { 'Content-Type': 'text/html; charset=utf-8' }).end(HTML_405)
    return
  }
  if (artifactPath === '') {
    const entries = await readdir(local, { withFileTypes: true }).catch(() => [])
    const files = await Promise.all(
      entries
        .sort((a, b) => (a.name < b.name ? -1 : 1))
        .map(async (entry) =>
          entry.isDirectory()
            ? { path: entry.name, is_dir: true }
            : { path: entry.name, is_dir: false, file_size: (await stat(path.join(local, entry.name))).size },
        ),
    )
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(files.length === 0 ? {} : { files }))
    return
  }
  try {
    const bytes = await readFile(local)
    res
      .writeHead(200, {
        'Content-Type': 'application/octet-stream',
        'Content-Disposition': `attachment; filename=${path.basename(local)}`,
      })
      .end(bytes)
  } catch {
    sendError(
      res,
      500,
      'INTERNAL_ERROR',
      `The following failures occurred while downloading one or more artifacts from ${target}`,
    )
  }
}

// MLflow lists a local root with os.listdir; a folder it does not have lists as empty.
export async function listOnOwnDisk(disk: string, rootUri: string, relative: string) {
  const dir = path.join(disk, fileURLToPath(rootUri), ...relative.split('/').filter((part) => part !== ''))
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  return entries.map((entry) => ({
    path: relative === '' ? entry.name : `${relative}/${entry.name}`,
    isDir: entry.isDirectory(),
    fileSize: 0,
  }))
}

export function sendError(res: ServerResponse, status: number, errorCode: string, message: string): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error_code: errorCode, message }))
}
