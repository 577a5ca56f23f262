import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'

/**
 * Named float32 arrays ⇄ TensorFlow.js's weight file layout: one `.bin` of little-endian float32 values in
 * manifest order, and a manifest entry `{ name, shape, dtype }` per array (`weightsManifest` in model.json), so
 * `tf.io.decodeWeights` and other tfjs tools read our files.
 */

/** One weight's manifest entry (tfjs `WeightsManifestEntry`). */
export interface WeightEntry {
  name: string
  shape: number[]
  dtype: 'float32'
}

const LITTLE_ENDIAN = new Uint8Array(new Float32Array([1]).buffer)[3] === 0x3f

/** The float32 values as little-endian bytes (a copy). */
function littleEndianBytes(values: Float32Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(values.buffer.slice(values.byteOffset, values.byteOffset + values.byteLength))
  const bytes = Buffer.alloc(values.length * 4)
  for (let i = 0; i < values.length; i += 1) bytes.writeFloatLE(values[i] as number, i * 4)
  return bytes
}

/** Serialises named arrays (in the given order) into a manifest and one buffer. */
export function encodeWeights(weights: ReadonlyMap<string, { shape: number[]; values: Float32Array }>): {
  manifest: WeightEntry[]
  data: Buffer
} {
  const manifest: WeightEntry[] = []
  const parts: Buffer[] = []
  for (const [name, { shape, values }] of weights) {
    manifest.push({ name, shape, dtype: 'float32' })
    parts.push(littleEndianBytes(values))
  }
  return { manifest, data: Buffer.concat(parts) }
}

/** The inverse of {@link encodeWeights}. */
export function decodeWeights(manifest: readonly WeightEntry[], data: Uint8Array): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>()
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  let offset = 0
  for (const entry of manifest) {
    const size = entry.shape.reduce((a, b) => a * b, 1)
    if (offset + size * 4 > data.byteLength) throw new Error(`weight file too short for ${entry.name}`)
    let values: Float32Array
    if (LITTLE_ENDIAN) {
      values = new Float32Array(size)
      new Uint8Array(values.buffer).set(data.subarray(offset, offset + size * 4))
    } else {
      values = new Float32Array(size)
      for (let i = 0; i < size; i += 1) values[i] = view.getFloat32(offset + i * 4, true)
    }
    offset += size * 4
    out.set(entry.name, values)
  }
  if (offset !== data.byteLength)
    throw new Error(`weight file has ${String(data.byteLength - offset)} unexpected bytes`)
  return out
}

/**
 * Writes a file atomically (temp file + rename), creating its folder. A failed write removes its temp file, and
 * temp files of this name left by killed processes (`kill -9` mid-write) are removed by the next write.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true })
  await removeStaleTemps(file)
  const temp = `${file}.tmp-${String(process.pid)}`
  try {
    await writeFile(temp, data)
    await rename(temp, file)
  } catch (thrown) {
    await rm(temp, { force: true })
    throw thrown
  }
}

// A write takes milliseconds; a temp file this old whose process is gone was left by a kill. (Both conditions: on a
// folder shared between machines, a pid says nothing about another machine's writer.)
const STALE_TEMP_MS = 10 * 60_000

async function removeStaleTemps(file: string): Promise<void> {
  const prefix = `${path.basename(file)}.tmp-`
  for (const name of await readdir(path.dirname(file))) {
    const pid = Number(name.slice(prefix.length))
    if (!name.startsWith(prefix) || !Number.isInteger(pid) || pid <= 0 || processAlive(pid)) continue
    const temp = path.join(path.dirname(file), name)
    const info = await stat(temp).catch(() => undefined)
    if (info !== undefined && Date.now() - info.mtimeMs > STALE_TEMP_MS) await rm(temp, { force: true })
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (thrown) {
    return (thrown as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Reads a JSON file. */
export async function readJson(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8')) as unknown
}
