import { realpath } from 'node:fs/promises'
import path from 'node:path'
import * as tf from '@tensorflow/tfjs'
import { z } from 'zod'
import { WmsError } from '@wms/shared/errors'
import { formatSchemaIssues } from '@wms/shared/util/schema-issues'
import { checkDatasetFile, readDatasetFile } from '../../qa/dataset-files.js'
import { createUnet, unetVariableSpecs, type Unet, type UnetConfig } from './unet.js'
import { decodeWeights, encodeWeights, writeFileAtomic, type WeightEntry } from './weights-file.js'
import { ModelMetadataSchema, type ModelMetadata } from './metadata.js'

/**
 * An exported model is a folder: `model.json` (the architecture and a tfjs `weightsManifest`), `weights.bin`
 * (float32, tfjs layout, BatchNorm statistics included) and `metadata.json` (input size, preprocessing,
 * threshold, metrics, data version, backend; see `metadata.ts`).
 */

export const MODEL_FILE = 'model.json'
export const WEIGHTS_FILE = 'weights.bin'
export const METADATA_FILE = 'metadata.json'
export const MODEL_FORMAT = 'wms-unet'

const ModelJsonSchema = z.object({
  format: z.literal(MODEL_FORMAT),
  formatVersion: z.literal(1),
  generatedBy: z.string(),
  modelTopology: z.object({
    architecture: z.literal('unet'),
    inChannels: z.number().int().positive(),
    baseFilters: z.number().int().positive(),
    outChannels: z.number().int().positive(),
    depth: z.number().int().positive(),
  }),
  weightsManifest: z.array(
    z.object({
      paths: z.array(z.string()),
      weights: z.array(z.object({ name: z.string(), shape: z.array(z.number().int()), dtype: z.literal('float32') })),
    }),
  ),
})

/** The current values of every model variable, by name (a copy). */
export function readModelValues(model: Unet): Map<string, Float32Array> {
  return new Map([...model.variables].map(([name, v]) => [name, v.dataSync() as Float32Array]))
}

/** Overwrites the model's variables with `values` (e.g. restoring the best epoch). */
export function assignModelValues(model: Unet, values: ReadonlyMap<string, Float32Array>): void {
  for (const [name, variable] of model.variables) {
    const data = values.get(name)
    if (data === undefined) throw new Error(`no value for ${name}`)
    tf.tidy(() => {
      variable.assign(tf.tensor(data, variable.shape))
    })
  }
}

/** Encodes model values in spec order. */
export function encodeModelValues(
  config: UnetConfig,
  values: ReadonlyMap<string, Float32Array>,
): { manifest: WeightEntry[]; data: Buffer } {
  const ordered = new Map<string, { shape: number[]; values: Float32Array }>()
  for (const spec of unetVariableSpecs(config)) {
    const data = values.get(spec.name)
    if (data === undefined) throw new Error(`no value for ${spec.name}`)
    ordered.set(spec.name, { shape: spec.shape, values: data })
  }
  return encodeWeights(ordered)
}

/** Writes `model.json`, `weights.bin` and `metadata.json` into `dir`. */
export async function saveModel(
  dir: string,
  config: UnetConfig,
  values: ReadonlyMap<string, Float32Array>,
  metadata: ModelMetadata,
  generatedBy: string,
): Promise<void> {
  const { manifest, data } = encodeModelValues(config, values)
  const modelJson: z.infer<typeof ModelJsonSchema> = {
    format: MODEL_FORMAT,
    formatVersion: 1,
    generatedBy,
    modelTopology: { architecture: 'unet', ...config },
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: manifest }],
  }
  await writeFileAtomic(path.join(dir, WEIGHTS_FILE), data)
  await writeFileAtomic(path.join(dir, METADATA_FILE), `${JSON.stringify(metadata, null, 2)}\n`)
  await writeFileAtomic(path.join(dir, MODEL_FILE), `${JSON.stringify(modelJson, null, 2)}\n`)
}

/** A model read from a folder: the architecture, the weights and the metadata. */
export interface SavedModel {
  dir: string
  config: UnetConfig
  values: Map<string, Float32Array>
  metadata: ModelMetadata
}

// model.json and metadata.json are small; a bigger "JSON" file is not one of ours.
const MAX_JSON_BYTES = 1024 * 1024

/**
 * Reads a model folder written by {@link saveModel}; errors name the folder and what is wrong. Every file it opens
 * must be a regular file inside the folder (QA's rule for dataset files: a link out, `../../etc/shadow` or an
 * absolute path in `weightsManifest` is refused unread), and the weights file must have exactly the size the
 * manifest gives, checked before it is read.
 */
export async function readSavedModel(dir: string): Promise<SavedModel> {
  const fail = (message: string, cause?: unknown): WmsError =>
    new WmsError('fs/not-found', `${dir} is not a usable model folder: ${message}`, {
      hint: `Point at a folder written by \`training-runner train\` (with ${MODEL_FILE}, ${WEIGHTS_FILE}, ${METADATA_FILE}).`,
      cause,
    })
  const root = await realpath(dir).catch((thrown: unknown) => {
    throw fail('the folder cannot be opened', thrown)
  })
  const read = (relpath: string, limit: { max: number } | { exact: number }): Promise<Buffer> =>
    readModelFile(root, relpath, limit, fail)
  const modelJson = parseJson(await read(MODEL_FILE, { max: MAX_JSON_BYTES }), MODEL_FILE, ModelJsonSchema, fail)
  const metadata = parseJson(
    await read(METADATA_FILE, { max: MAX_JSON_BYTES }),
    METADATA_FILE,
    ModelMetadataSchema,
    fail,
  )
  const group = modelJson.weightsManifest[0]
  const weightsPath = group?.paths[0]
  if (group === undefined || group.paths.length !== 1 || weightsPath === undefined) {
    throw fail('expected one weights file')
  }
  const expected = group.weights.reduce((sum, entry) => sum + 4 * entry.shape.reduce((a, b) => a * b, 1), 0)
  let values: Map<string, Float32Array>
  try {
    values = decodeWeights(group.weights, await read(weightsPath, { exact: expected }))
  } catch (thrown) {
    if (thrown instanceof WmsError) throw thrown
    throw fail((thrown as Error).message, thrown)
  }
  const { inChannels, baseFilters, outChannels, depth } = modelJson.modelTopology
  return { dir, config: { inChannels, baseFilters, outChannels, depth }, values, metadata }
}

async function readModelFile(
  root: string,
  relpath: string,
  limit: { max: number } | { exact: number },
  fail: (message: string, cause?: unknown) => WmsError,
): Promise<Buffer> {
  const file = path.resolve(root, relpath)
  const check = await checkDatasetFile({ path: file, relpath, root })
  if (!check.ok) {
    const why = check.failure.kind === 'outside-dataset' ? `it lies outside the model folder` : check.failure.detail
    throw fail(`${JSON.stringify(relpath)} cannot be read: ${why}`)
  }
  const { size } = check.identity
  if ('exact' in limit && size !== limit.exact) {
    throw fail(`${relpath} has ${String(size)} bytes; its manifest says ${String(limit.exact)}`)
  }
  const max = 'exact' in limit ? limit.exact : limit.max
  if (size > max) throw fail(`${relpath} is ${String(size)} bytes, more than a model file has`)
  try {
    return await readDatasetFile(check.identity, max)
  } catch (thrown) {
    throw fail(`${relpath} cannot be read: ${(thrown as Error).message}`, thrown)
  }
}

function parseJson<T>(
  bytes: Buffer,
  name: string,
  schema: z.ZodType<T>,
  fail: (message: string, cause?: unknown) => WmsError,
): T {
  let value: unknown
  try {
    value = JSON.parse(bytes.toString('utf8')) as unknown
  } catch (thrown) {
    // Never echo the content: a file that is not ours may hold anything.
    throw fail(`${name} is not valid JSON`, thrown)
  }
  const parsed = schema.safeParse(value)
  if (!parsed.success) throw fail(`${name} has invalid fields:\n${formatSchemaIssues(parsed.error)}`)
  return parsed.data
}

/** Loads a model folder into a ready {@link Unet} (on the active backend) plus its metadata. */
export async function loadModel(dir: string): Promise<{ model: Unet; metadata: ModelMetadata; config: UnetConfig }> {
  const saved = await readSavedModel(dir)
  return { model: createUnet(saved.config, { values: saved.values }), metadata: saved.metadata, config: saved.config }
}
