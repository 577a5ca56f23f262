import { readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WmsError } from '@wms/shared/errors'
import { parseDirManifest } from '@wms/shared/dvc/dir-manifest'
import { objectHashFromKey, contentMd5 } from '@wms/shared/dvc/object-key'
import { md5Bytes } from '../fs/hash-file.js'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { startS3Server, TEST_CREDENTIALS, type TestS3Server } from '../../test/helpers/s3-server.js'
import { createDataBranch, createDatasetRepo } from '../../test/helpers/dataset-repo.js'
import type { StoreOptions } from './dataset-workspace.js'
import { mergeDataBranch } from './merge.js'

const tempDir = useTempDirs()
let s3: TestS3Server
beforeAll(async () => {
  s3 = await startS3Server()
})
afterAll(async () => {
  await s3.close()
})

async function s3Repo(pairs: number) {
  const prefix = `ds-${String(Math.random()).slice(2, 10)}`
  const store: StoreOptions = {
    storeOverrides: { credentials: TEST_CREDENTIALS, retry: { retries: 1, baseDelayMs: 20, maxDelayMs: 40 } },
  }
  const remote = { type: 's3' as const, bucket: s3.bucket, prefix, endpoint: s3.endpoint, forcePathStyle: true }
  const repo = await createDatasetRepo(await tempDir(), { pairs, remote, store })
  return { repo, prefix, store }
}

async function keysUnder(prefix: string): Promise<string[]> {
  return (await s3.keys()).filter((key) => key.startsWith(`${prefix}/`))
}

/** Every object's bytes hash to its name: nothing partial or corrupt was published. */
async function expectAllObjectsIntact(keys: readonly string[]): Promise<void> {
  for (const key of keys) {
    const hash = objectHashFromKey(key)
    expect(hash, key).toBeDefined()
    expect(md5Bytes(await s3.read(key)), key).toBe(contentMd5(hash!))
  }
}

/** Every `.dir` manifest in the remote names only objects the remote has. */
async function expectNoDanglingManifest(prefix: string): Promise<void> {
  const keys = new Set(await keysUnder(prefix))
  for (const key of keys) {
    if (!key.endsWith('.dir')) continue
    const entries = parseDirManifest(new TextDecoder().decode(await s3.read(key)), key)
    for (const entry of entries) {
      expect(
        keys.has(`${prefix}/files/md5/${entry.md5.slice(0, 2)}/${entry.md5.slice(2)}`),
        `${key} → ${entry.relpath}`,
      ).toBe(true)
    }
  }
}

describe('mergeDataBranch against S3 (fauxqs on 127.0.0.1)', () => {
  it('reads only the two .dir manifests of main and uploads only the new files', async () => {
    const { repo, prefix, store } = await s3Repo(4)
    await createDataBranch(repo.root, { pairs: 3, startId: 100 })
    await rm(path.join(repo.root, '.wms'), { recursive: true }) // a fresh CI checkout has no manifest cache
    const from = s3.requests.length

    const result = await mergeDataBranch({ workspace: repo.root, ...store })

    const requests = s3.requests.slice(from).filter((request) => request.url.includes(`/${prefix}/`))
    const byMethod = (method: string) => requests.filter((request) => request.method === method)
    expect(byMethod('GET').map((request) => request.url.split('?')[0]?.endsWith('.dir'))).toEqual([true, true])
    expect(byMethod('HEAD')).toHaveLength(6 + 2) // the new objects, then the two new manifests
    expect(byMethod('PUT')).toHaveLength(6 + 2)
    expect(requests.filter((request) => request.url.includes('list-type'))).toEqual([])
    expect(result.byFolder.images).toMatchObject({ existing: 4, new: 3, total: 7 })
    await expectNoDanglingManifest(prefix)
  })

  it('survives the server dying in the middle of an upload: the rerun finishes, with no duplicate, no corrupt object, no dangling manifest', async () => {
    const { repo, prefix, store } = await s3Repo(3)
    await createDataBranch(repo.root, { pairs: 6, startId: 200 })
    const dvcBefore = await readFile(path.join(repo.root, 'data/training/images.dvc'), 'utf8')
    const keysBefore = await keysUnder(prefix)

    // Kill the server when the 5th object upload arrives (its body still on the way).
    let puts = 0
    s3.onRequest = (request) => {
      if (request.method === 'PUT' && request.url.includes(`/${prefix}/files/md5/`) && (puts += 1) === 5) void s3.kill()
    }
    let failure: unknown
    try {
      await mergeDataBranch({ workspace: repo.root, ...store })
    } catch (thrown) {
      failure = thrown
    } finally {
      s3.onRequest = undefined
    }
    expect(failure).toBeInstanceOf(WmsError)
    expect((failure as WmsError).code).toBe('storage/unavailable')
    expect((failure as WmsError).retryable).toBe(true)

    // While the server is down, the repository still points at main's dataset.
    expect(await readFile(path.join(repo.root, 'data/training/images.dvc'), 'utf8')).toBe(dvcBefore)
    await s3.restart()
    const afterCrash = await keysUnder(prefix)
    expect(afterCrash.filter((key) => key.endsWith('.dir'))).toEqual(keysBefore.filter((key) => key.endsWith('.dir')))
    expect(afterCrash.length).toBeLessThan(keysBefore.length + 12)
    await expectAllObjectsIntact(afterCrash)
    await expectNoDanglingManifest(prefix)

    // The rerun uploads only what is still missing and completes the merge.
    const from = s3.requests.length
    const result = await mergeDataBranch({ workspace: repo.root, ...store })
    const objectPuts = s3.requests
      .slice(from)
      .filter((request) => request.method === 'PUT' && !(request.url.split('?')[0] ?? '').endsWith('.dir'))
      .map((request) => decodeURIComponent(request.url.replace(/^\/[^/]+\//, '').split('?')[0] ?? ''))
    expect(objectPuts.filter((key) => afterCrash.includes(key))).toEqual([]) // nothing sent twice
    expect(result.upload.transferred + result.upload.present).toBe(12)
    expect(result.upload.present).toBe(afterCrash.length - keysBefore.length)

    const final = await keysUnder(prefix)
    expect(final).toHaveLength(keysBefore.length + 12 + 2)
    await expectAllObjectsIntact(final)
    await expectNoDanglingManifest(prefix)
    expect(result.byFolder.images).toMatchObject({ existing: 3, new: 6, total: 9 })
    expect(await readFile(path.join(repo.root, 'data/training/images.dvc'), 'utf8')).toContain(result.dvc.images!.md5)
  })
})
