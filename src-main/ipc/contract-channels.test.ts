import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { EVENT_CHANNELS } from '@wms/shared/ipc/contract'

const root = path.resolve(import.meta.dirname, '../..')

/** The non-test sources under `folder`, concatenated: where a channel must be named to be emitted or heard. */
async function sources(folder: string): Promise<string> {
  const names = await readdir(path.join(root, folder), { recursive: true })
  const files = names.filter((name) => /\.tsx?$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.includes('test-'))
  const texts = await Promise.all(files.map((name) => readFile(path.join(root, folder, name), 'utf8')))
  return texts.join('\n')
}

// A declared event channel that nothing emits is a promise the UI cannot keep (`pipeline:event` was one until the
// local pipeline runner produced it): every event channel has an emitter in main and a listener in the renderer.
describe('every event channel of the contract is real', () => {
  it.each(EVENT_CHANNELS)('%s is emitted by main', async (channel) => {
    const main = await sources('src-main')
    expect(main.includes(`emit('${channel}'`), `nothing in src-main emits '${channel}'`).toBe(true)
  })

  it.each(EVENT_CHANNELS)('%s is heard by the renderer', async (channel) => {
    const renderer = await sources('src-renderer')
    expect(renderer.includes(`on('${channel}'`), `nothing in src-renderer listens to '${channel}'`).toBe(true)
  })
})
