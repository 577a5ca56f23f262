import { readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../../test/helpers/temp-dir.js'
import { TINY_UNET, writeUntrainedModel } from '../../../test/helpers/untrained-model.js'
import { METADATA_FILE, MODEL_FILE, readSavedModel, WEIGHTS_FILE } from './model-files.js'

/** A real, valid model folder at `<base>/model`, and a "secret" of the weights' size next to it. */
async function modelFolder(base: string): Promise<{ dir: string; secret: string; weightsBytes: number }> {
  const dir = await writeUntrainedModel(path.join(base, 'model'))
  const weights = await readFile(path.join(dir, WEIGHTS_FILE))
  const secret = path.join(base, 'secret')
  await writeFile(secret, Buffer.alloc(weights.length, 7))
  return { dir, secret, weightsBytes: weights.length }
}

async function pointWeightsAt(dir: string, weightsPath: string): Promise<void> {
  const file = path.join(dir, MODEL_FILE)
  const json = JSON.parse(await readFile(file, 'utf8')) as { weightsManifest: { paths: string[] }[] }
  json.weightsManifest[0]!.paths = [weightsPath]
  await writeFile(file, JSON.stringify(json))
}

describe('loading a model folder', () => {
  const tempDir = useTempDirs()

  it('reads a valid folder', async () => {
    const { dir } = await modelFolder(await tempDir())
    const saved = await readSavedModel(dir)
    expect(saved.config).toEqual(TINY_UNET)
    expect(saved.values.size).toBeGreaterThan(0)
  })

  it.each([
    ['a relative path out', (secret: string) => path.join('..', path.basename(secret))],
    ['an absolute path', (secret: string) => secret],
  ])('refuses a weights path that leaves the folder (%s), unread', async (_, target) => {
    const { dir, secret } = await modelFolder(await tempDir())
    await pointWeightsAt(dir, target(secret))
    await expect(readSavedModel(dir)).rejects.toThrow(/outside the model folder/)
  })

  it('refuses a weights file that is a link out, or not the size its manifest gives', async () => {
    const { dir, secret, weightsBytes } = await modelFolder(await tempDir())
    await rm(path.join(dir, WEIGHTS_FILE))
    await symlink(secret, path.join(dir, WEIGHTS_FILE))
    await expect(readSavedModel(dir)).rejects.toThrow(/outside the model folder/)
    await rm(path.join(dir, WEIGHTS_FILE))
    await writeFile(path.join(dir, WEIGHTS_FILE), Buffer.alloc(weightsBytes))
    await truncate(path.join(dir, WEIGHTS_FILE), weightsBytes - 4)
    await expect(readSavedModel(dir)).rejects.toThrow(`has ${String(weightsBytes - 4)} bytes; its manifest says`)
  })

  it('names the bad field of the metadata and never echoes a foreign file', async () => {
    const { dir, secret } = await modelFolder(await tempDir())
    const file = path.join(dir, METADATA_FILE)
    const metadata = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>
    await writeFile(file, JSON.stringify({ ...metadata, threshold: 'abc' }))
    await expect(readSavedModel(dir)).rejects.toThrow(/metadata\.json has invalid fields:\n {2}- threshold: /)
    await writeFile(secret, 'root:$6$secret-hash:19000:0:99999:7:::\n')
    await rm(file)
    await symlink(secret, file)
    const error: unknown = await readSavedModel(dir).catch((thrown: unknown) => thrown)
    expect(error).toBeInstanceOf(Error)
    expect((error as Error).message).toContain('outside the model folder')
    expect((error as Error).message).not.toContain('secret-hash')
  })
})
