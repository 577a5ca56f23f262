import { readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import type { EpochScores } from '@wms/shared/tracking/metrics'
import type { UnetConfig } from '../model/unet.js'
import { decodeWeights, encodeWeights, readJson, writeFileAtomic, type WeightEntry } from '../model/weights-file.js'
import type { AdamState } from '../ops/adam.js'
import type { EarlyStoppingState, PlateauState } from './schedule.js'

/**
 * A resumable training checkpoint, written after every epoch: the current weights and optimizer moments, the
 * best epoch's weights, the schedule states and the history. `state.json` is written last, so a crash mid-write
 * leaves the previous checkpoint usable. Resuming checks that the settings and the data are the same.
 */

/** One finished epoch: its scores (as tracking names them, `@wms/shared/tracking/metrics`), rate and time. */
export interface EpochRecord extends EpochScores {
  epoch: number
  learningRate: number
  seconds: number
}

export interface CheckpointState {
  formatVersion: 1
  /** Hash of the settings and data that must match to resume. */
  fingerprint: string
  epoch: number
  unet: UnetConfig
  plateau: PlateauState
  early: EarlyStoppingState
  adamStep: number
  history: EpochRecord[]
  manifest: WeightEntry[]
  bestManifest: WeightEntry[]
}

const StateSchema = z.object({ formatVersion: z.literal(1), fingerprint: z.string(), epoch: z.number() }).loose()

export interface Checkpoint {
  state: CheckpointState
  weights: Map<string, Float32Array>
  adam: AdamState
  best: Map<string, Float32Array>
}

const STATE = 'state.json'
const CURRENT = 'current.bin'
const BEST = 'best.bin'

/** Writes a checkpoint into `dir`. */
export async function saveCheckpoint(
  dir: string,
  partial: Omit<CheckpointState, 'manifest' | 'bestManifest' | 'formatVersion'>,
  weights: ReadonlyMap<string, Float32Array>,
  adam: AdamState,
  best: ReadonlyMap<string, Float32Array>,
): Promise<void> {
  const current = new Map<string, { shape: number[]; values: Float32Array }>()
  for (const [name, values] of weights) current.set(`w/${name}`, { shape: [values.length], values })
  for (const [name, values] of adam.m) current.set(`m/${name}`, { shape: [values.length], values })
  for (const [name, values] of adam.v) current.set(`v/${name}`, { shape: [values.length], values })
  const bestEntries = new Map([...best].map(([name, values]) => [name, { shape: [values.length], values }]))
  const a = encodeWeights(current)
  const b = encodeWeights(bestEntries)
  await writeFileAtomic(path.join(dir, CURRENT), a.data)
  await writeFileAtomic(path.join(dir, BEST), b.data)
  const state: CheckpointState = { formatVersion: 1, ...partial, manifest: a.manifest, bestManifest: b.manifest }
  await writeFileAtomic(path.join(dir, STATE), `${JSON.stringify(state)}\n`)
}

/** Reads the checkpoint in `dir`, or undefined when there is none. */
export async function readCheckpoint(dir: string): Promise<Checkpoint | undefined> {
  let raw: unknown
  try {
    raw = await readJson(path.join(dir, STATE))
  } catch (thrown) {
    if ((thrown as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw thrown
  }
  StateSchema.parse(raw)
  const state = raw as CheckpointState
  const current = decodeWeights(state.manifest, await readFile(path.join(dir, CURRENT)))
  const best = decodeWeights(state.bestManifest, await readFile(path.join(dir, BEST)))
  const pick = (prefix: string): Map<string, Float32Array> =>
    new Map([...current].filter(([name]) => name.startsWith(prefix)).map(([name, v]) => [name.slice(prefix.length), v]))
  return {
    state,
    weights: pick('w/'),
    adam: { step: state.adamStep, learningRate: state.plateau.learningRate, m: pick('m/'), v: pick('v/') },
    best,
  }
}

/** Removes a checkpoint folder (after a finished run, unless asked to keep it). */
export async function removeCheckpoint(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true })
}
