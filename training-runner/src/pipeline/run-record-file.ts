import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import { PipelineRunRecordSchema, runRecordName, type PipelineRunRecord } from '@wms/shared/pipeline/run-record'
import { formatSchemaIssues } from '@wms/shared/util/schema-issues'
import { isMissing, writeFileAtomic } from '../tracking/file-store/fs-util.js'

/**
 * Where the pipeline keeps its state in a workspace: `.wms/pipeline/<branch>.json` (the run record, written
 * atomically: a crash leaves the previous record or the new one), `<branch>.md` (the report), `work/` (the
 * temporary worktrees of the run in progress) and `lock` (one pipeline at a time per workspace).
 */
export function pipelineDir(workspaceRoot: string): string {
  return path.join(workspaceRoot, '.wms', 'pipeline')
}

/** The record file of `branch`. */
export function recordFile(workspaceRoot: string, branch: string): string {
  return path.join(pipelineDir(workspaceRoot), runRecordName(branch))
}

/** The report file of `branch` (next to its record). */
export function reportFile(workspaceRoot: string, branch: string): string {
  return recordFile(workspaceRoot, branch).replace(/\.json$/, '.md')
}

/** Reads the record of `branch`; undefined when the branch never ran. */
export async function readRunRecord(workspaceRoot: string, branch: string): Promise<PipelineRunRecord | undefined> {
  const file = recordFile(workspaceRoot, branch)
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (thrown) {
    if (isMissing(thrown)) return undefined
    throw new WmsError('fs/io', `Cannot read the run record ${file}: ${(thrown as Error).message}`)
  }
  const parsed = PipelineRunRecordSchema.safeParse(JSON.parse(text))
  if (!parsed.success) {
    throw new WmsError(
      'workspace/invalid-config',
      `${file} is not a pipeline run record:\n${formatSchemaIssues(parsed.error)}`,
      {
        hint: `Remove ${file} to start the branch's pipeline over.`,
      },
    )
  }
  return parsed.data
}

/** Writes the record atomically, stamping `updatedAt`. */
export async function writeRunRecord(workspaceRoot: string, record: PipelineRunRecord): Promise<PipelineRunRecord> {
  const stamped = { ...record, updatedAt: Date.now() }
  await writeFileAtomic(recordFile(workspaceRoot, record.branch), `${JSON.stringify(stamped, null, 2)}\n`)
  return stamped
}

/** Every record in the workspace, newest first. */
export async function listRunRecords(workspaceRoot: string): Promise<PipelineRunRecord[]> {
  let names: string[]
  try {
    names = await readdir(pipelineDir(workspaceRoot))
  } catch (thrown) {
    if (isMissing(thrown)) return []
    throw thrown
  }
  const records: PipelineRunRecord[] = []
  for (const name of names.filter((entry) => entry.endsWith('.json'))) {
    try {
      const parsed = PipelineRunRecordSchema.safeParse(
        JSON.parse(await readFile(path.join(pipelineDir(workspaceRoot), name), 'utf8')),
      )
      if (parsed.success) records.push(parsed.data)
    } catch {
      // A record being replaced right now, or not a record: skipped, the next listing sees it.
    }
  }
  return records.sort((a, b) => b.startedAt - a.startedAt)
}
