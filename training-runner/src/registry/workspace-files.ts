import { appendFile, mkdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import {
  formatHistoryLine,
  formatModelMetadata,
  MODEL_METADATA_FILE,
  parseModelMetadata,
  parseProductionHistory,
  PRODUCTION_HISTORY_FILE,
  type ModelMetadata,
  type ModelMetadataInput,
  type ProductionHistoryEntry,
} from '@wms/shared/formats/model-metadata'
import { isMissing, writeFileAtomic } from '../tracking/file-store/fs-util.js'

/** The workspace's production files: `model-metadata.json` and `models/production-history.jsonl`. */

/** What `model-metadata.json` says: absent, unreadable (with why), or its content. */
export type MetadataFile =
  { kind: 'missing' } | { kind: 'invalid'; reason: string } | { kind: 'ok'; metadata: ModelMetadata }

/** Reads `<root>/model-metadata.json`. */
export async function readModelMetadataFile(workspaceRoot: string): Promise<MetadataFile> {
  const file = path.join(workspaceRoot, MODEL_METADATA_FILE)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (thrown) {
    if (isMissing(thrown)) return { kind: 'missing' }
    return { kind: 'invalid', reason: `cannot read ${file}: ${(thrown as Error).message}` }
  }
  const parsed = parseModelMetadata(text)
  return parsed.ok ? { kind: 'ok', metadata: parsed.value } : { kind: 'invalid', reason: `${file} is ${parsed.error}` }
}

/** Writes `model-metadata.json` atomically (a crash leaves the old file or the new one, never half). */
export async function writeModelMetadataFile(workspaceRoot: string, metadata: ModelMetadataInput): Promise<void> {
  await writeFileAtomic(path.join(workspaceRoot, MODEL_METADATA_FILE), formatModelMetadata(metadata))
}

/** Reads the history; a missing file is an empty history. Unreadable lines are reported, not fatal. */
export async function readProductionHistory(
  workspaceRoot: string,
): Promise<{ entries: ProductionHistoryEntry[]; problems: { line: number; message: string }[] }> {
  try {
    return parseProductionHistory(await readFile(path.join(workspaceRoot, PRODUCTION_HISTORY_FILE), 'utf8'))
  } catch (thrown) {
    if (isMissing(thrown)) return { entries: [], problems: [] }
    throw new WmsError('fs/io', `Cannot read ${PRODUCTION_HISTORY_FILE}: ${(thrown as Error).message}`)
  }
}

/**
 * Appends one history line unless an entry with the same `event`, `version` and `timestamp` is already there
 * (a rerun after a crash appends nothing twice). Returns whether it appended.
 */
export async function appendProductionHistory(
  workspaceRoot: string,
  entry: Parameters<typeof formatHistoryLine>[0],
): Promise<boolean> {
  const file = path.join(workspaceRoot, PRODUCTION_HISTORY_FILE)
  const { entries } = await readProductionHistory(workspaceRoot)
  const duplicate = entries.some(
    (existing) =>
      existing.event === (entry.event ?? 'promote') &&
      existing.version === entry.version &&
      existing.timestamp === entry.timestamp,
  )
  if (duplicate) return false
  await mkdir(path.dirname(file), { recursive: true })
  // A file whose last line lacks its newline (a crash mid-append) gets one first, so lines never merge.
  const existingText = await readFile(file, 'utf8').catch(() => '')
  const prefix = existingText !== '' && !existingText.endsWith('\n') ? '\n' : ''
  await appendFile(file, prefix + formatHistoryLine(entry))
  return true
}
