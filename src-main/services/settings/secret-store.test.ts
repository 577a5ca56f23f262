import { chmod, lstat, mkdir, readFile, readdir, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../test-support/temp-dirs.js'
import { createKeyFileCipher, KEY_FILE_NAME } from './secret-cipher.js'
import { SecretStore } from './secret-store.js'

const TOKEN = 'ghp_secretTokenValue0123456789abcdef'

async function openStore(dir: string): Promise<SecretStore> {
  return new SecretStore(path.join(dir, 'secrets.json'), await createKeyFileCipher(path.join(dir, KEY_FILE_NAME)))
}

describe('the web host secret store (AES-256-GCM, key file in user data)', () => {
  const makeDir = useTempDirs()
  const temp = { make: () => makeDir('wms-secrets-') }

  it('keeps secrets encrypted, readable back, with key and store files 0600', async () => {
    const dir = await temp.make()
    const store = await openStore(dir)
    await store.update({ 'github.token': TOKEN, 'mlflow.password': 'p4ss-word!' })
    expect(await (await openStore(dir)).get('github.token')).toBe(TOKEN)
    expect(await store.get('mlflow.password')).toBe('p4ss-word!')
    const onDisk = await readFile(path.join(dir, 'secrets.json'), 'utf8')
    expect(onDisk).not.toContain(TOKEN)
    expect(onDisk).not.toContain('p4ss-word')
    expect((await lstat(path.join(dir, 'secrets.json'))).mode & 0o777).toBe(0o600)
    expect((await lstat(path.join(dir, KEY_FILE_NAME))).mode & 0o777).toBe(0o600)
    await store.update({ 'github.token': null })
    expect(await store.get('github.token')).toBeUndefined()
    expect(await store.has('mlflow.password')).toBe(true)
  })

  it('refuses to decrypt with another key, naming the key file; saving again starts a new store', async () => {
    const dir = await temp.make()
    await (await openStore(dir)).update({ 'github.token': TOKEN })
    await writeFile(path.join(dir, KEY_FILE_NAME), Buffer.alloc(32, 7), { mode: 0o600 })
    const other = await openStore(dir)
    await expect(other.get('github.token')).rejects.toMatchObject({
      code: 'secrets/unreadable',
      message: expect.stringContaining(KEY_FILE_NAME) as string,
    })
    expect(await other.check()).toMatch(/key changed or the file was altered/)
    await other.update({ 'mlflow.token': 'fresh-token-value' })
    expect(await other.get('mlflow.token')).toBe('fresh-token-value')
    expect(await other.has('github.token')).toBe(false)
    expect((await readdir(dir)).some((name) => name.startsWith('secrets.json.unreadable-'))).toBe(true)
  })

  it('detects a tampered value, a value moved to another name, and a damaged file', async () => {
    const dir = await temp.make()
    const store = await openStore(dir)
    await store.update({ 'github.token': TOKEN, 'mlflow.token': 'other-secret-value' })
    const file = path.join(dir, 'secrets.json')
    const json = JSON.parse(await readFile(file, 'utf8')) as { entries: Record<string, string> }
    const bytes = Buffer.from(json.entries['github.token']!, 'base64')
    bytes[bytes.length - 1]! ^= 1
    await writeFile(
      file,
      JSON.stringify({ ...json, entries: { ...json.entries, 'github.token': bytes.toString('base64') } }),
    )
    await expect(store.get('github.token')).rejects.toMatchObject({ code: 'secrets/unreadable' })
    // The ciphertext is bound to its name: swapping two entries does not hand one secret out as another.
    await writeFile(
      file,
      JSON.stringify({ ...json, entries: { 'github.token': json.entries['mlflow.token'], 'mlflow.token': 'x' } }),
    )
    await expect(store.get('github.token')).rejects.toMatchObject({ code: 'secrets/unreadable' })
    await writeFile(file, '{"version":1,"kind":"encrypted-fi')
    await expect(store.get('github.token')).rejects.toMatchObject({
      code: 'secrets/unreadable',
      message: expect.stringContaining('damaged') as string,
    })
  })

  it('loses no write when two stores on one file write at once', async () => {
    const dir = await temp.make()
    const first = await openStore(dir)
    const second = await openStore(dir)
    await Promise.all([
      first.update({ 'github.token': 'token-one-000000' }),
      second.update({ 'mlflow.token': 'token-two-000000' }),
      first.update({ 's3.accessKeyId': 'AKIAEXAMPLE0000000' }),
      second.update({ 's3.secretAccessKey': 'secret-four-0000' }),
    ])
    const reader = await openStore(dir)
    expect(await reader.get('github.token')).toBe('token-one-000000')
    expect(await reader.get('mlflow.token')).toBe('token-two-000000')
    expect(await reader.get('s3.accessKeyId')).toBe('AKIAEXAMPLE0000000')
    expect(await reader.get('s3.secretAccessKey')).toBe('secret-four-0000')
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp') || name.endsWith('.lock'))).toEqual([])
  })

  it('refuses a symlink in place of the store or of the key, and never writes through it', async () => {
    const dir = await temp.make()
    const elsewhere = path.join(dir, 'elsewhere.txt')
    await writeFile(elsewhere, 'not yours')
    await symlink(elsewhere, path.join(dir, 'secrets.json'))
    const store = await openStore(dir)
    await expect(store.update({ 'github.token': TOKEN })).rejects.toMatchObject({
      code: 'secrets/unavailable',
      message: expect.stringContaining('symbolic link') as string,
    })
    expect(await readFile(elsewhere, 'utf8')).toBe('not yours')

    const keyDir = await temp.make()
    await symlink(elsewhere, path.join(keyDir, KEY_FILE_NAME))
    await expect(createKeyFileCipher(path.join(keyDir, KEY_FILE_NAME))).rejects.toMatchObject({
      code: 'secrets/unavailable',
      message: expect.stringContaining('symbolic link') as string,
    })
  })

  it('refuses a key file other users can read, saying how to fix it', async () => {
    const dir = await temp.make()
    await openStore(dir)
    await chmod(path.join(dir, KEY_FILE_NAME), 0o644)
    await expect(createKeyFileCipher(path.join(dir, KEY_FILE_NAME))).rejects.toMatchObject({
      code: 'secrets/unavailable',
      hint: expect.stringContaining('chmod 600') as string,
    })
  })

  it('creates the key in a private folder, and two processes starting together share one key', async () => {
    const dir = path.join(await temp.make(), 'user-data')
    await mkdir(dir, { recursive: true })
    const keyFile = path.join(dir, KEY_FILE_NAME)
    const [a, b] = await Promise.all([createKeyFileCipher(keyFile), createKeyFileCipher(keyFile)])
    expect(await b.decrypt('github.token', await a.encrypt('github.token', TOKEN))).toBe(TOKEN)
  })

  it('tells its listener every secret it handles, so logs can scrub them', async () => {
    const dir = await temp.make()
    const seen: string[] = []
    const store = new SecretStore(
      path.join(dir, 'secrets.json'),
      await createKeyFileCipher(path.join(dir, KEY_FILE_NAME)),
      (value) => seen.push(value),
    )
    await store.update({ 'github.token': TOKEN })
    expect(seen).toContain(TOKEN)
  })
})
