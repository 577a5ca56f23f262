import { parse as parseYaml, stringify as stringifyYaml } from 'yaml'
import { z } from 'zod'
import { WmsError } from '../errors.js'
import { isObjectHash } from './object-key.js'

/**
 * DVC 3 pointer files (`images.dvc`): YAML with one output per tracked path,
 *
 * ```yaml
 * outs:
 * - md5: 2d72dda548075b9b8efee99a387372b6.dir
 *   size: 2388117
 *   nfiles: 9
 *   hash: md5
 *   path: images
 * ```
 *
 * `md5` is the directory hash (`.dir`) or a file hash, `size` the bytes of all files, `nfiles` their count (only
 * for directories), `hash: md5` marks DVC 3 hashing (DVC 2 files lack it and hash differently).
 */

/** One output of a `.dvc` file, plus any fields DVC or a user added that we keep as they are. */
export interface DvcOut {
  md5: string
  size: number
  /** Number of files, for a directory output. */
  nfiles?: number
  hash: 'md5'
  /** Path of the output, relative to the `.dvc` file's folder, forward slashes. */
  path: string
  /** Other fields of the output (`desc`, `cache`, `remote`, …), written back unchanged after the known ones. */
  extra?: Record<string, unknown>
}

/** A parsed `.dvc` file: its outputs and other top-level keys (kept on rewrite). */
export interface DvcFile {
  outs: DvcOut[]
  extra?: Record<string, unknown>
}

const KNOWN_OUT_KEYS = new Set(['md5', 'size', 'nfiles', 'hash', 'path'])

const OutSchema = z.looseObject({
  md5: z.string().refine(isObjectHash, 'must be an MD5 hash, optionally followed by .dir'),
  size: z.number().int().nonnegative(),
  nfiles: z.number().int().nonnegative().optional(),
  hash: z.string().optional(),
  path: z.string().min(1),
})

const FileSchema = z.looseObject({ outs: z.array(OutSchema).min(1) })

/**
 * Parses a `.dvc` file's text; `source` names it in errors. Throws `dataset/invalid-manifest` for YAML that is
 * not a DVC 3 pointer file (DVC 2 files are refused with a hint, since their hashes differ).
 */
export function parseDvcFile(text: string, source: string): DvcFile {
  let yaml: unknown
  try {
    yaml = parseYaml(text)
  } catch (thrown) {
    throw invalid(source, `it is not valid YAML (${(thrown as Error).message.split('\n')[0] ?? ''})`)
  }
  const parsed = FileSchema.safeParse(yaml)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue === undefined || issue.path.length === 0 ? '' : `${issue.path.map(String).join('.')}: `
    throw invalid(source, `${where}${issue?.message ?? 'unexpected content'}`)
  }
  const outs = parsed.data.outs.map((out, index): DvcOut => {
    if (out.hash === undefined) {
      throw new WmsError(
        'dataset/invalid-manifest',
        `${source} was written by DVC 2 (outs[${String(index)}] has no "hash: md5").`,
        {
          hint: 'Upgrade the dataset to DVC 3 (`dvc cache migrate` then `dvc add` with DVC 3) and commit the new .dvc files.',
        },
      )
    }
    if (out.hash !== 'md5') throw invalid(source, `outs[${String(index)}].hash is "${out.hash}", expected "md5"`)
    const extra = pickExtra(out, KNOWN_OUT_KEYS)
    const result: DvcOut = { md5: out.md5, size: out.size, hash: 'md5', path: out.path }
    if (out.nfiles !== undefined) result.nfiles = out.nfiles
    if (extra !== undefined) result.extra = extra
    return result
  })
  const file: DvcFile = { outs }
  const extra = pickExtra(parsed.data, new Set(['outs']))
  if (extra !== undefined) file.extra = extra
  return file
}

/** The single output of a `.dvc` file that tracks one directory; throws when there are several. */
export function singleOut(file: DvcFile, source: string): DvcOut {
  const [out] = file.outs
  if (out === undefined || file.outs.length !== 1) {
    throw invalid(source, `expected exactly one output, found ${String(file.outs.length)}`)
  }
  return out
}

/**
 * Writes a `.dvc` file the way DVC 3 does: known fields in DVC's order (`md5`, `size`, `nfiles`, `hash`, `path`),
 * then kept extra fields, then extra top-level keys.
 */
export function serializeDvcFile(file: DvcFile): string {
  const lines = ['outs:']
  for (const out of file.outs) {
    const fields: [string, unknown][] = [
      ['md5', out.md5],
      ['size', out.size],
    ]
    if (out.nfiles !== undefined) fields.push(['nfiles', out.nfiles])
    fields.push(['hash', out.hash], ['path', out.path], ...Object.entries(out.extra ?? {}))
    fields.forEach(([key, value], index) => {
      const block = yamlEntry(key, value)
      lines.push(...block.map((line, n) => (n === 0 ? `${index === 0 ? '- ' : '  '}${line}` : `  ${line}`)))
    })
  }
  for (const [key, value] of Object.entries(file.extra ?? {})) lines.push(...yamlEntry(key, value))
  return `${lines.join('\n')}\n`
}

/** A `.dvc` file for one tracked directory with a fresh hash (DVC 3 fields only). */
export function dirDvcFile(out: { md5: string; size: number; nfiles: number; path: string }): DvcFile {
  return { outs: [{ md5: out.md5, size: out.size, nfiles: out.nfiles, hash: 'md5', path: out.path }] }
}

// `key: value` as YAML lines (a nested value takes several lines).
function yamlEntry(key: string, value: unknown): string[] {
  return stringifyYaml({ [key]: value }, { lineWidth: 0 })
    .trimEnd()
    .split('\n')
}

function pickExtra(object: Record<string, unknown>, known: ReadonlySet<string>): Record<string, unknown> | undefined {
  const extra = Object.fromEntries(Object.entries(object).filter(([key]) => !known.has(key)))
  return Object.keys(extra).length === 0 ? undefined : extra
}

function invalid(source: string, why: string): WmsError {
  return new WmsError('dataset/invalid-manifest', `${source} is not a valid DVC 3 pointer file: ${why}.`, {
    hint: 'Restore the file from git (`git checkout -- <file>`) or re-create it with `training-runner data add`.',
  })
}
