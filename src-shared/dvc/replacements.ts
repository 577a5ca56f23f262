import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { WmsError } from '../errors.js'
import { formatSchemaIssues } from '../util/schema-issues.js'
import { relpathProblem } from './dir-manifest.js'

/**
 * The replacements declaration: how a data branch says "these files deliberately replace files already in the
 * dataset". Without it, a branch file whose path (or image/mask stem) already exists with other content is a
 * collision and the merge stops — the old system silently kept the new file and lost the old one.
 *
 * It lives at `<dataset.root>/replacements.yaml` on the data branch:
 *
 * ```yaml
 * version: 1
 * replace:
 *   - path: images/id_3_value_366_885.jpg   # relative to the dataset root
 *     reason: re-taken photo, the old one was blurred
 *   - path: masks/id_3_value_366_885.png     # replaces masks/id_3_value_366_885.jpg (same stem)
 *     reason: mask redrawn as PNG
 * ```
 *
 * Each `path` must be a file the branch adds, and must replace an existing file with the same path or the same
 * stem in the same folder (`x.jpg` → `x.png`). The merge removes the file from the git index like the raw files,
 * so a declaration is used by exactly one merge and never reaches `main`.
 */

/** The file name of the declaration, inside the dataset root. */
export const REPLACEMENTS_FILE = 'replacements.yaml'

/** One declared replacement. */
export interface Replacement {
  /** Path of the branch's new file, relative to the dataset root (`images/…` or `masks/…`). */
  path: string
  /** Why the old file is replaced; shown in the merge report and the PR body. */
  reason: string
}

const ReplacementsSchema = z.strictObject({
  version: z.literal(1),
  replace: z
    .array(
      z.strictObject({
        path: z.string().min(1),
        reason: z.string().trim().min(1, 'say why the old file is replaced'),
      }),
    )
    .min(1, 'list at least one file, or delete the declaration'),
})

/**
 * Parses and validates a declaration. Throws `dataset/invalid-replacements` listing every problem: bad YAML,
 * unknown fields, unsafe paths, paths outside `images/` and `masks/`, duplicates.
 */
export function parseReplacements(text: string, source: string): Replacement[] {
  let yaml: unknown
  try {
    yaml = parseYaml(text)
  } catch (thrown) {
    throw invalid(source, `it is not valid YAML: ${(thrown as Error).message.split('\n')[0] ?? ''}`)
  }
  const parsed = ReplacementsSchema.safeParse(yaml)
  if (!parsed.success) throw invalid(source, `\n${formatSchemaIssues(parsed.error)}`)
  const problems: string[] = []
  const seen = new Set<string>()
  for (const { path } of parsed.data.replace) {
    const problem = relpathProblem(path)
    if (problem !== undefined) problems.push(`${JSON.stringify(path)} ${problem}`)
    else if (!/^(images|masks)\/./.test(path)) problems.push(`${JSON.stringify(path)} is not under images/ or masks/`)
    if (seen.has(path)) problems.push(`${JSON.stringify(path)} is listed twice`)
    seen.add(path)
  }
  if (problems.length > 0) throw invalid(source, `\n${problems.map((line) => `  - ${line}`).join('\n')}`)
  return parsed.data.replace.map(({ path, reason }) => ({ path, reason }))
}

function invalid(source: string, why: string): WmsError {
  return new WmsError('dataset/invalid-replacements', `${source} is not a valid replacements declaration: ${why}`, {
    hint: `Fix ${REPLACEMENTS_FILE} (version: 1, replace: [{path, reason}], paths like images/<file>) and run the merge again.`,
  })
}
