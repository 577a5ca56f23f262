import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { request as httpRequest } from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ok } from '@wms/shared/result'
import type { InvokeHandlers, UploadHandlers } from '@wms/shared/ipc/contract'
import { createDispatcher, createUploadDispatcher } from '../ipc/dispatch.js'
import { EventHub } from '../ipc/event-hub.js'
import { startWebHost, type WebHost } from './server.js'
import { prepareSpoolDir } from './upload-stream.js'
import { rawRequest } from './test-http.js'

const MB = 1024 * 1024
const FILE_BYTES = 16 * MB

// The bytes of file `index`: one repeated byte, so the test neither holds the files nor makes garbage sending them.
const chunks = new Map<string, Buffer>()
const chunkOf = (index: number, size: number): Buffer => {
  const key = `${String(index)}:${String(size)}`
  const chunk = chunks.get(key) ?? Buffer.alloc(size, 65 + index)
  chunks.set(key, chunk)
  return chunk
}

function header(request: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(request))
  const length = Buffer.alloc(4)
  length.writeUInt32LE(json.length)
  return Buffer.concat([length, json])
}

/** Streams an upload of `count` files of `size` bytes with backpressure; answers the status and body. */
function streamUpload(
  host: WebHost,
  channel: string,
  files: { path: string; size: number }[],
  sentBytes = (index: number) => files[index]?.size ?? 0,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port: host.port,
        method: 'POST',
        path: `/api/upload/${channel}`,
        headers: {
          Host: `127.0.0.1:${String(host.port)}`,
          Authorization: `Bearer ${host.token}`,
          'Content-Type': 'application/octet-stream',
        },
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }))
      },
    )
    req.on('error', reject)
    const write = (buffer: Buffer): Promise<void> =>
      new Promise((done) => {
        if (req.write(buffer)) done()
        else req.once('drain', () => done())
      })
    void (async () => {
      await write(header({ files }))
      for (const [index] of files.entries()) {
        let left = sentBytes(index)
        while (left > 0) {
          const size = Math.min(left, MB)
          await write(chunkOf(index, size))
          left -= size
        }
      }
      req.end()
    })()
  })
}

describe('web host uploads', () => {
  let dir: string
  let spool: string
  let host: WebHost
  let received: { sizes: number[]; md5s: string[]; peakBeforeHandler: number } | undefined
  let peak = 0
  const internalErrors: unknown[] = []
  let baseline = 0

  const handlers: UploadHandlers = {
    'staging:add-files': async (request, files) => {
      const peakBeforeHandler = peak
      const md5s: string[] = []
      for (const file of files)
        md5s.push(
          createHash('md5')
            .update(await file.bytes())
            .digest('hex'),
        )
      received = { sizes: files.map((file) => file.size), md5s, peakBeforeHandler }
      return ok({ added: [], rejected: request.files.map((file) => ({ path: file.path, reason: 'test' })) })
    },
    'staging:replace-file': () => Promise.resolve(ok({ relpath: 'masks/x.png' })),
  }

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'wms-upload-'))
    spool = path.join(dir, 'spool')
    await mkdir(spool)
    await mkdir(path.join(dir, 'static'))
    host = await startWebHost({
      dispatch: createDispatcher({} as InvokeHandlers),
      dispatchUpload: createUploadDispatcher(handlers),
      events: new EventHub(),
      staticDir: path.join(dir, 'static'),
      spoolDir: spool,
      maxUploadBytes: 512 * MB,
      onInternalError: (where, thrown) => {
        internalErrors.push({ where, thrown })
        return undefined
      },
    })
  })

  afterAll(async () => {
    await host.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('streams files to disk: 128 MB arrive without the host holding them in memory', async () => {
    const files = [0, 1, 2, 3, 4, 5, 6, 7].map((index) => ({
      path: `set/images/f${String(index)}.png`,
      size: FILE_BYTES,
    }))
    const memory = (): number => process.memoryUsage().arrayBuffers
    baseline = memory()
    peak = 0
    const sampler = setInterval(() => {
      peak = Math.max(peak, memory() - baseline)
    }, 50)
    try {
      const response = await streamUpload(host, 'staging:add-files', files)
      expect(response.status).toBe(200)
    } finally {
      clearInterval(sampler)
    }
    expect(received?.sizes).toEqual(files.map((file) => file.size))
    expect(received?.md5s).toEqual(
      files.map((_file, index) => createHash('md5').update(chunkOf(index, FILE_BYTES)).digest('hex')),
    )
    // Before the handler read anything, the host held network chunks, not files (the old host held all 128 MB, twice). What
    // remains is network chunks the garbage collector has not freed yet (about 35 MB measured, however large the upload).
    expect(received?.peakBeforeHandler ?? Number.POSITIVE_INFINITY).toBeLessThan(64 * MB)
    expect(await readdir(spool)).toEqual([])
  })

  it('refuses a file over the limit before reading its bytes, with a message that names it', async () => {
    const response = await rawRequest(host.port, {
      method: 'POST',
      path: '/api/upload/staging:add-files',
      headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/octet-stream' },
      body: header({ files: [{ path: 'set/images/huge.png', size: 1000 * MB }] }),
    })
    expect(response.status).toBe(413)
    expect(JSON.parse(response.body)).toMatchObject({
      ok: false,
      error: {
        code: 'ipc/too-large',
        message: 'set/images/huge.png is 1000 MB; WMS Studio takes files up to 64 MB each.',
      },
    })
  })

  it('refuses an upload larger than the host takes at once', async () => {
    const files = Array.from({ length: 9 }, (_unused, index) => ({
      path: `set/images/g${String(index)}.png`,
      size: 60 * MB,
    }))
    const response = await rawRequest(host.port, {
      method: 'POST',
      path: '/api/upload/staging:add-files',
      headers: { Authorization: `Bearer ${host.token}`, 'Content-Type': 'application/octet-stream' },
      body: header({ files }),
    })
    expect(response.status).toBe(413)
    expect(JSON.parse(response.body)).toMatchObject({ ok: false, error: { code: 'ipc/too-large' } })
  })

  it.each([
    ['fewer bytes than listed', 3 * MB, 'carries 3145728 bytes of files, but its request lists 4194304'],
    ['more bytes than listed', 5 * MB, 'carries 5242880 bytes of files, but its request lists 4194304'],
  ])('refuses %s and leaves no spool behind', async (_label, sent, message) => {
    const files = [{ path: 'set/images/short.png', size: 4 * MB }]
    const response = await streamUpload(host, 'staging:add-files', files, () => sent)
    expect(response.status).toBe(400)
    expect(JSON.parse(response.body)).toMatchObject({ ok: false, error: { code: 'ipc/invalid-payload' } })
    expect(response.body).toContain(message)
    expect(await readdir(spool)).toEqual([])
  })

  it('answers a malformed percent-encoding in a channel name with 400, not 500', async () => {
    for (const route of ['/api/upload/staging%E0%A4%A', '/api/invoke/app%3Aget-info%']) {
      const response = await rawRequest(host.port, {
        method: 'POST',
        path: route,
        headers: {
          Authorization: `Bearer ${host.token}`,
          'Content-Type': route.includes('upload') ? 'application/octet-stream' : 'application/json',
        },
        body: '{}',
      })
      expect(response.status).toBe(400)
      expect(JSON.parse(response.body)).toMatchObject({ ok: false, error: { code: 'ipc/invalid-payload' } })
    }
  })

  it('forgets an upload whose client goes away half-way: no spool left, no internal error, host still serving', async () => {
    const before = received
    await new Promise<void>((resolve) => {
      const req = httpRequest({
        host: '127.0.0.1',
        port: host.port,
        method: 'POST',
        path: '/api/upload/staging:add-files',
        headers: {
          Host: `127.0.0.1:${String(host.port)}`,
          Authorization: `Bearer ${host.token}`,
          'Content-Type': 'application/octet-stream',
        },
      })
      req.on('error', () => resolve())
      req.write(header({ files: [{ path: 'set/images/cut.png', size: 8 * MB }] }))
      req.write(chunkOf(9, 2 * MB), () => {
        setTimeout(() => {
          req.destroy()
          resolve()
        }, 100)
      })
    })
    await expect.poll(() => readdir(spool), { timeout: 5000 }).toEqual([])
    expect(internalErrors).toEqual([])
    expect(received).toBe(before)
    const response = await streamUpload(host, 'staging:add-files', [{ path: 'set/images/ok.png', size: 10 }])
    expect(response.status).toBe(200)
  })
})

describe('prepareSpoolDir', () => {
  it('creates the spool for the user only and removes spools a killed host left, not fresh ones', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'wms-spool-'))
    try {
      const spool = path.join(dir, '.wms', 'uploads')
      await mkdir(path.join(spool, 'wms-upload-old'), { recursive: true })
      await writeFile(path.join(spool, 'wms-upload-old', '0'), 'half a file')
      await mkdir(path.join(spool, 'wms-upload-new'))
      await mkdir(path.join(spool, 'not-ours'))
      const hourAgo = new Date(Date.now() - 2 * 60 * 60_000)
      await utimes(path.join(spool, 'wms-upload-old'), hourAgo, hourAgo)
      await prepareSpoolDir(spool)
      expect((await readdir(spool)).sort()).toEqual(['not-ours', 'wms-upload-new'])
      const fresh = path.join(dir, 'fresh')
      await prepareSpoolDir(fresh)
      expect((await stat(fresh)).mode & 0o777).toBe(0o700)
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
})
