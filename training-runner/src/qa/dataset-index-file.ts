import { mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import { DatasetIndexSchema, type DatasetIndex } from '@wms/shared/qa/dataset-index'
import { formatSchemaIssues } from '@wms/shared/util/schema-issues'

/** Reading and writing dataset index files (`training-runner qa index`, `qa --against`). */

/** Reads and validates a dataset index; throws `dataset/invalid-manifest` naming the file and the fields. */
export async function readDatasetIndex(file: string): Promise<DatasetIndex> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (thrown) {
    const code = (thrown as NodeJS.ErrnoException).code
    throw new WmsError(code === 'ENOENT' ? 'fs/not-found' : 'fs/io', `Cannot read the dataset index ${file}.`, {
      hint: 'Build one with `training-runner qa index <dataset-dir> --out <file>`.',
      cause: thrown,
    })
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new WmsError('dataset/invalid-manifest', `${file} is not valid JSON.`, {
      hint: 'Build it again with `training-runner qa index`.',
    })
  }
  const parsed = DatasetIndexSchema.safeParse(json)
  if (!parsed.success) {
    throw new WmsError(
      'dataset/invalid-manifest',
      `${file} is not a dataset index:\n${formatSchemaIssues(parsed.error)}`,
      {
        hint: 'Build it again with `training-runner qa index`.',
      },
    )
  }
  return parsed.data
}

/** Writes a dataset index (pretty JSON, trailing newline). */
export async function writeDatasetIndex(file: string, index: DatasetIndex): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, `${JSON.stringify(index, null, 2)}\n`)
}
