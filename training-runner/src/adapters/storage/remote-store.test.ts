import { mkdir, readFile, writeFile, access } from 'node:fs/promises'
import path from 'node:path'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest'
import { WmsError } from '@wms/shared/errors'
import { remoteObjectKey } from '@wms/shared/dvc/object-key'
import { md5Bytes } from '../../fs/hash-file.js'
import { useTempDirs } from '../../../test/helpers/temp-dir.js'
import { startS3Server, TEST_CREDENTIALS, type TestS3Server } from '../../../test/helpers/s3-server.js'
import { createLocalRemoteStore } from './local-remote.js'
import { isDamaged, statObjects, type RemoteStore } from './remote-store.js'
import { createS3RemoteStore } from './s3-remote.js'

const FAST_RETRY = { retries: 2, baseDelayMs: 20, maxDelayMs: 50 }
const tempDir = useTempDirs()
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise
  } catch (thrown) {
    return thrown instanceof WmsError ? thrown.code : `not a WmsError: ${String(thrown)}`
  }
  return 'no error'
}

interface Harness {
  store: RemoteStore
  /** Writes raw bytes under an object's key, bypassing every check (a damaged remote). */
  plant(hash: string, content: Uint8Array): Promise<void>
}

let s3: TestS3Server
beforeAll(async () => {
  s3 = await startS3Server()
})
afterAll(async () => {
  await s3.close()
})

const harnesses: Record<string, () => Promise<Harness>> = {
  local: async () => {
    const root = await tempDir()
    return {
      store: createLocalRemoteStore({ root, retry: FAST_RETRY }),
      plant: async (hash, content) => {
        const file = path.join(root, remoteObjectKey(hash))
        await mkdir(path.dirname(file), { recursive: true })
        await writeFile(file, content)
      },
    }
  },
  s3: () => {
    const prefix = `run-${String(Math.random()).slice(2)}`
    const client = s3.client()
    return Promise.resolve({
      store: createS3RemoteStore({
        bucket: s3.bucket,
        prefix,
        region: 'us-east-1',
        endpoint: s3.endpoint,
        forcePathStyle: true,
        credentials: TEST_CREDENTIALS,
        retry: FAST_RETRY,
      }),
      plant: async (hash, content) => {
        await client.send(
          new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/${remoteObjectKey(hash)}`, Body: content }),
        )
      },
    })
  },
}

describe.each(Object.keys(harnesses))('RemoteStore contract: %s', (kind) => {
  let harness: Harness
  afterEach(() => {
    harness.store.close()
  })
  const open = async (): Promise<Harness> => {
    harness = await harnesses[kind]!()
    return harness
  }

  it('stores an object once and reads it back verified', async () => {
    const { store } = await open()
    const content = bytes('a water meter')
    const hash = md5Bytes(content)
    expect(await store.stat(hash)).toBeUndefined()
    expect(await store.put(hash, { kind: 'bytes', bytes: content })).toBe('uploaded')
    expect(await store.stat(hash)).toMatchObject({ size: content.length, md5: hash })
    expect(await store.put(hash, { kind: 'bytes', bytes: content })).toBe('present')
    expect(new TextDecoder().decode(await store.getBytes(hash))).toBe('a water meter')
  })

  it('uploads from a file and downloads to a file through a temporary name', async () => {
    const { store } = await open()
    const dir = await tempDir()
    const source = path.join(dir, 'ünïcode 😀.jpg')
    await writeFile(source, 'pixels'.repeat(1000))
    const hash = md5Bytes(await readFile(source))
    let sent = 0
    await store.put(hash, { kind: 'file', path: source, size: 6000 }, { onBytes: (n) => (sent += n) })
    expect(sent).toBe(6000)
    const target = path.join(dir, 'out/nested/copy.jpg')
    await store.download(hash, target)
    expect(await readFile(target, 'utf8')).toBe('pixels'.repeat(1000))
  })

  it('refuses bytes that do not match their hash, and stores nothing', async () => {
    const { store } = await open()
    const hash = md5Bytes('expected')
    const dir = await tempDir()
    const file = path.join(dir, 'changed.jpg')
    await writeFile(file, 'something else')
    expect(await codeOf(store.put(hash, { kind: 'file', path: file, size: 14 }))).toMatch(
      /^storage\/integrity$|^internal$/,
    )
    expect(await store.stat(hash)).toBeUndefined()
  })

  it('never overwrites an existing object with different bytes', async () => {
    const h = await open()
    const content = bytes('the real content')
    const hash = md5Bytes(content)
    await h.plant(hash, bytes('damaged'))
    expect(await codeOf(h.store.put(hash, { kind: 'bytes', bytes: content }))).toBe('storage/conflict')
    // The damaged object is still what the remote holds, and reading it fails the integrity check.
    expect(await h.store.stat(hash)).toMatchObject({ size: 7 })
    expect(await codeOf(h.store.getBytes(hash))).toBe('storage/integrity')
  })

  it('fails a download of a damaged object without leaving a file', async () => {
    const h = await open()
    const hash = md5Bytes('original')
    await h.plant(hash, bytes('tampered'))
    const target = path.join(await tempDir(), 'x.jpg')
    expect(await codeOf(h.store.download(hash, target))).toBe('storage/integrity')
    await expect(access(target)).rejects.toThrow()
  })

  it('reports a missing object as not-found, never as empty', async () => {
    const { store } = await open()
    expect(await codeOf(store.getBytes(md5Bytes('absent')))).toBe('storage/not-found')
  })

  it('notices a corrupted object of the right size, refuses to trust it, and repairs it only when asked', async () => {
    const h = await open()
    const content = bytes('the good bytes')
    const hash = md5Bytes(content)
    await h.plant(hash, bytes('the BAD! bytes')) // same length, other content
    const info = await h.store.stat(hash)
    expect(info).toBeDefined()
    expect(isDamaged(hash, info!)).toBe(true)
    expect(await codeOf(h.store.put(hash, { kind: 'bytes', bytes: content }))).toBe('storage/conflict')
    expect(await h.store.put(hash, { kind: 'bytes', bytes: content }, { repair: true })).toBe('repaired')
    expect(isDamaged(hash, (await h.store.stat(hash))!)).toBe(false)
    expect(new TextDecoder().decode(await h.store.getBytes(hash))).toBe('the good bytes')
  })

  it('says a damaged stored copy is damaged (not "in transit") and does not retry it', async () => {
    const h = await open()
    const hash = md5Bytes('original')
    await h.plant(hash, bytes('tampered'))
    const failure = await h.store.download(hash, path.join(await tempDir(), 'x.jpg')).then(
      () => undefined,
      (thrown: unknown) => thrown as WmsError,
    )
    expect(failure?.code).toBe('storage/integrity')
    expect(failure?.message).toMatch(/damaged/)
    expect(failure?.message).not.toMatch(/gave up after/)
    expect(failure?.hint).toContain('data push --repair')
  })

  it('checks many objects at once', async () => {
    const { store } = await open()
    const present = ['1', '2', '3'].map((n) => bytes(n))
    for (const content of present) await store.put(md5Bytes(content), { kind: 'bytes', bytes: content })
    const asked = [...present.map((content) => md5Bytes(content)), md5Bytes('4'), md5Bytes('5')]
    const found = await statObjects(store, asked)
    expect([...found.keys()].sort()).toEqual(present.map((content) => md5Bytes(content)).sort())
  })
})

describe('local remote', () => {
  it('says the remote folder is missing instead of "no data"', async () => {
    const store = createLocalRemoteStore({ root: path.join(await tempDir(), 'nope'), retry: FAST_RETRY })
    expect(await codeOf(store.getBytes(md5Bytes('x')))).toBe('storage/unavailable')
    expect(await codeOf(statObjects(store, [md5Bytes('x')]))).toBe('storage/unavailable')
    await statObjects(store, [md5Bytes('x')], { forWrite: true }) // a push creates it, like `dvc push`
  })
})

describe('S3 remote', () => {
  const store = (options: Partial<Parameters<typeof createS3RemoteStore>[0]> = {}): RemoteStore =>
    createS3RemoteStore({
      bucket: s3.bucket,
      prefix: 'dvc',
      region: 'us-east-1',
      endpoint: s3.endpoint,
      forcePathStyle: true,
      credentials: TEST_CREDENTIALS,
      retry: FAST_RETRY,
      ...options,
    })

  it('uses the DVC layout under the prefix', async () => {
    const content = bytes('layout')
    const remote = store()
    await remote.put(md5Bytes(content), { kind: 'bytes', bytes: content })
    remote.close()
    expect(await s3.keys()).toContain(`dvc/${remoteObjectKey(md5Bytes(content))}`)
  })

  it('uploads large files in parts and verifies them', async () => {
    const dir = await tempDir()
    const file = path.join(dir, 'big.bin')
    const content = Buffer.alloc(9 * 1024 * 1024 + 123, 7)
    await writeFile(file, content)
    const hash = md5Bytes(content)
    const remote = store({ multipartThresholdBytes: 1024 * 1024 })
    expect(await remote.put(hash, { kind: 'file', path: file, size: content.length })).toBe('uploaded')
    expect(await remote.stat(hash)).toMatchObject({ size: content.length })
    expect(md5Bytes(await remote.getBytes(hash))).toBe(hash)
    remote.close()
  })

  it('rides out a server that drops and comes back (retries with backoff)', async () => {
    const remote = store({ retry: { retries: 6, baseDelayMs: 50, maxDelayMs: 200 } })
    const content = bytes('survives a restart')
    await s3.kill()
    setTimeout(() => void s3.restart(), 150)
    expect(await remote.put(md5Bytes(content), { kind: 'bytes', bytes: content })).toBe('uploaded')
    remote.close()
  })

  it('gives up with a retryable storage/unavailable when the server stays down', async () => {
    const remote = store()
    await s3.kill()
    try {
      await remote.stat(md5Bytes('x'))
      expect.unreachable()
    } catch (thrown) {
      expect(thrown).toBeInstanceOf(WmsError)
      expect((thrown as WmsError).code).toBe('storage/unavailable')
      expect((thrown as WmsError).retryable).toBe(true)
    } finally {
      await s3.restart()
      remote.close()
    }
  })

  it('reports a missing bucket on read', async () => {
    const remote = store({ bucket: 'no-such-bucket' })
    expect(await codeOf(remote.getBytes(md5Bytes('x')))).toBe('storage/not-found')
    remote.close()
  })

  it('says a missing bucket is missing instead of "the remote lacks every object"', async () => {
    const remote = store({ bucket: 'no-such-bucket' })
    const failure = await statObjects(remote, [md5Bytes('x')]).then(
      () => undefined,
      (thrown: unknown) => thrown as WmsError,
    )
    expect(failure?.code).toBe('storage/not-found')
    expect(failure?.message).toContain('The S3 bucket no-such-bucket does not exist')
    remote.close()
  })
})
