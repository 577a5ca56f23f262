import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { PutObjectCommand } from '@aws-sdk/client-s3'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type WmsError } from '@wms/shared/errors'
import { remoteObjectKey } from '@wms/shared/dvc/object-key'
import { md5File } from '../fs/hash-file.js'
import { writeSyntheticDataset } from '../demo/synthetic-dataset.js'
import { startFaultProxy, type FaultProxy } from '../../test/helpers/fault-proxy.js'
import { startS3Server, TEST_CREDENTIALS, type TestS3Server } from '../../test/helpers/s3-server.js'
import { createDatasetRepo, SMALL_SIZES } from '../../test/helpers/dataset-repo.js'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import type { StoreOptions } from './dataset-workspace.js'
import { datasetStatus } from './status.js'
import { addDataset, pullDataset, pushDataset, removeFromDataset } from './sync.js'

/**
 * add / push / pull / status against a real S3-protocol server behind a fault-injecting proxy: what a user sees
 * when objects are damaged, the server hangs or refuses, a pull is cut short, or files are deleted by mistake.
 */
const tempDir = useTempDirs()
let s3: TestS3Server
let proxy: FaultProxy
beforeAll(async () => {
  s3 = await startS3Server()
  proxy = await startFaultProxy(s3.endpoint)
})
afterEach(() => {
  proxy.plan = undefined
})
afterAll(async () => {
  await proxy.close()
  await s3.close()
})

const FAST = { retries: 1, baseDelayMs: 10, maxDelayMs: 20 }

/** A workspace whose main holds `pairs` pushed pairs, its S3 remote reached through the proxy. */
async function s3Workspace(pairs: number, overrides: { bucket?: string } = {}) {
  const prefix = `sync-${String(Math.random()).slice(2, 10)}`
  const store: StoreOptions = {
    storeOverrides: { credentials: TEST_CREDENTIALS, retry: FAST, endpoint: proxy.endpoint, requestTimeoutMs: 500 },
  }
  const remote = {
    type: 's3' as const,
    bucket: overrides.bucket ?? s3.bucket,
    prefix,
    endpoint: proxy.endpoint,
    forcePathStyle: true,
  }
  const repo = await createDatasetRepo(await tempDir(), { pairs, remote, store })
  const dataset = path.join(repo.root, 'data/training')
  return { ...repo, prefix, store, dataset }
}

/** Overwrites a stored object with other bytes of the same length, behind every check (a damaged remote). */
async function corruptObject(prefix: string, file: string): Promise<void> {
  const hash = await md5File(file)
  const client = s3.client()
  const bytes = await readFile(file)
  bytes[Math.floor(bytes.length / 2)] = (bytes[Math.floor(bytes.length / 2)] ?? 0) ^ 0xff
  await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${prefix}/${remoteObjectKey(hash)}`, Body: bytes }))
  client.destroy()
}

async function rejection(promise: Promise<unknown>): Promise<WmsError> {
  return promise.then(
    () => {
      throw new Error('expected a failure')
    },
    (thrown: unknown) => thrown as WmsError,
  )
}

describe('the dataset against an S3 remote that misbehaves', () => {
  it('notices a corrupted object of the right size, names the file, and repairs it from the good copy here', async () => {
    const ws = await s3Workspace(2)
    await pullDataset(ws.root, ws.store)
    const image = path.join(ws.dataset, ws.pairs[0]!.image)
    await corruptObject(ws.prefix, image)

    const status = await datasetStatus(ws.root, { ...ws.store, checkRemote: true })
    expect(status.folders[0]?.damagedInRemote).toEqual([ws.pairs[0]!.image])
    expect(status.folders[0]?.missingInRemote).toBe(0)

    // A second workspace pulling it is told which file is damaged, and how to repair it.
    await rm(image)
    const pull = await rejection(pullDataset(ws.root, ws.store))
    expect(pull.code).toBe('storage/integrity')
    expect(pull.message).toContain(ws.pairs[0]!.image)
    expect(pull.message).toContain('damaged')
    expect(pull.hint).toContain('data push --repair')
    await expect(readdir(path.dirname(image))).resolves.not.toContain(path.basename(image))

    // Back from a good copy: push --repair replaces the damaged object, and everything checks out.
    await pullDataset(ws.root, ws.store).catch(() => undefined)
    const good = path.join(await tempDir(), 'good')
    await writeSyntheticDataset(good, { count: 2, seed: 11, sizes: SMALL_SIZES })
    await writeFile(image, await readFile(path.join(good, ws.pairs[0]!.image)))
    const repaired = await pushDataset(ws.root, { ...ws.store, repair: true })
    expect(repaired.repaired).toBe(1)
    const after = await datasetStatus(ws.root, { ...ws.store, checkRemote: true })
    expect(after.folders.map((folder) => [folder.state, folder.damagedInRemote])).toEqual([
      ['clean', []],
      ['clean', []],
    ])
  })

  it('a truncated object does not block pushing new files; the damaged one is named with the repair command', async () => {
    const ws = await s3Workspace(2)
    await pullDataset(ws.root, ws.store)
    const mask = path.join(ws.dataset, ws.pairs[1]!.mask)
    const client = s3.client()
    await client.send(
      new PutObjectCommand({
        Bucket: s3.bucket,
        Key: `${ws.prefix}/${remoteObjectKey(await md5File(mask))}`,
        Body: new Uint8Array(10),
      }),
    )
    client.destroy()
    await writeSyntheticDataset(ws.dataset, { count: 1, seed: 90, startId: 90, sizes: SMALL_SIZES })
    await addDataset(ws.root, ws.store)
    const pushed = await pushDataset(ws.root, ws.store)
    expect(pushed).toMatchObject({ transferred: 2, manifests: 2 })
    const status = await datasetStatus(ws.root, { ...ws.store, checkRemote: true })
    expect(status.folders[1]?.damagedInRemote).toEqual([ws.pairs[1]!.mask])
    expect((await pushDataset(ws.root, { ...ws.store, repair: true })).repaired).toBe(1)
  })

  it('an unreachable, unauthorised or missing remote is an error for status --check-remote, never "up to date"', async () => {
    const ws = await s3Workspace(1)
    await pullDataset(ws.root, ws.store)
    proxy.plan = () => ({
      kind: 'status',
      status: 403,
      body: '<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>',
    })
    expect((await rejection(datasetStatus(ws.root, { ...ws.store, checkRemote: true }))).code).toBe(
      'storage/access-denied',
    )
    proxy.plan = () => ({ kind: 'hang' })
    const hung = await rejection(datasetStatus(ws.root, { ...ws.store, checkRemote: true }))
    expect(hung.code).toBe('storage/unavailable')
    expect(hung.message).toMatch(/gave up after 2 attempts/)
    proxy.plan = undefined

    const config = path.join(ws.root, 'wms.config.json')
    await writeFile(config, (await readFile(config, 'utf8')).replace(`"bucket": "${s3.bucket}"`, '"bucket": "gone"'))
    const missing = await rejection(datasetStatus(ws.root, { ...ws.store, checkRemote: true }))
    expect(missing.code).toBe('storage/not-found')
    expect(missing.message).toContain('The S3 bucket gone does not exist')
  }, 20_000)

  it('an interrupted pull leaves no temporary file among the data and reads as "incomplete", not as changes', async () => {
    const ws = await s3Workspace(3)
    let gets = 0
    proxy.plan = (request) =>
      request.method === 'GET' && !request.url.includes('.dir') && ++gets > 2
        ? { kind: 'stall', bytes: 100 }
        : undefined
    const cut = await rejection(pullDataset(ws.root, ws.store))
    expect(cut.code).toBe('storage/unavailable')
    proxy.plan = undefined
    for (const folder of ['images', 'masks']) {
      const names = await readdir(path.join(ws.dataset, folder)).catch(() => [])
      expect(names.filter((name) => name.includes('.tmp-'))).toEqual([])
    }
    const status = await datasetStatus(ws.root, ws.store)
    expect(status.folders.map((folder) => folder.state).sort()).toContain('incomplete')
    expect(status.folders.every((folder) => folder.state !== 'modified')).toBe(true)
    // Following the wrong advice cannot record the half-pulled dataset.
    expect((await rejection(addDataset(ws.root, ws.store))).code).toBe('dataset/missing-files')
    await pullDataset(ws.root, ws.store)
    expect((await datasetStatus(ws.root, ws.store)).folders.map((folder) => folder.state)).toEqual(['clean', 'clean'])
  }, 20_000)

  it('add never shrinks the dataset quietly, refuses unpaired files, and status says "not pushed" until push', async () => {
    const ws = await s3Workspace(3)
    await pullDataset(ws.root, ws.store)
    await rm(path.join(ws.dataset, ws.pairs[0]!.image))
    const dropped = await rejection(addDataset(ws.root, ws.store))
    expect(dropped.code).toBe('dataset/missing-files')
    expect(dropped.message).toContain(ws.pairs[0]!.image)
    expect(dropped.hint).toContain('data remove')

    await pullDataset(ws.root, ws.store)
    await writeFile(path.join(ws.dataset, 'images/lonely.jpg'), 'no mask for me')
    const unpaired = await rejection(addDataset(ws.root, ws.store))
    expect(unpaired.code).toBe('dataset/unpaired-files')
    expect(unpaired.message).toContain('images/lonely.jpg')
    await rm(path.join(ws.dataset, 'images/lonely.jpg'))

    await writeSyntheticDataset(ws.dataset, { count: 1, seed: 70, startId: 70, sizes: SMALL_SIZES })
    await addDataset(ws.root, ws.store)
    expect((await datasetStatus(ws.root, ws.store)).folders.map((folder) => folder.state)).toEqual([
      'not-pushed',
      'not-pushed',
    ])
    await pushDataset(ws.root, ws.store)
    expect((await datasetStatus(ws.root, ws.store)).folders.map((folder) => folder.state)).toEqual(['clean', 'clean'])

    const removed = await removeFromDataset(ws.root, [ws.pairs[1]!.image, ws.pairs[1]!.mask], ws.store)
    expect(removed.outs.images?.nfiles).toBe(3)
    expect((await rejection(removeFromDataset(ws.root, [ws.pairs[2]!.image], ws.store))).code).toBe(
      'dataset/unpaired-files',
    )
  }, 30_000)
})
