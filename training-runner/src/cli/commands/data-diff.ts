import path from 'node:path'
import { diffDatasetVersions } from '../../dvc/diff.js'
import type { CommandContext, CommandOutcome } from '../context.js'
import { capped } from './data-format.js'

/** `training-runner data diff <a> <b>`: added/removed/changed files between two dataset versions. */
export async function dataDiffCommand(
  from: string,
  to: string,
  options: { workspace: string; limit: number },
  context: CommandContext,
): Promise<CommandOutcome> {
  const diff = await diffDatasetVersions(path.resolve(context.io.cwd, options.workspace), from, to)
  const lines = [
    `Dataset ${from} → ${to}: ${String(diff.added.length)} added, ${String(diff.removed.length)} removed, ${String(diff.changed.length)} changed, ${String(diff.unchanged)} unchanged`,
    ...Object.entries(diff.byFolder).map(
      ([name, counts]) =>
        `  ${name.padEnd(8)} +${String(counts.added)}  -${String(counts.removed)}  ~${String(counts.changed)}  =${String(counts.unchanged)}`,
    ),
  ]
  if (diff.added.length > 0)
    lines.push(
      'added:',
      ...capped(
        diff.added.map((entry) => `+ ${entry.relpath}`),
        options.limit,
        '  ',
      ),
    )
  if (diff.removed.length > 0) {
    lines.push(
      'removed:',
      ...capped(
        diff.removed.map((entry) => `- ${entry.relpath}`),
        options.limit,
        '  ',
      ),
    )
  }
  if (diff.changed.length > 0) {
    lines.push(
      'changed:',
      ...capped(
        diff.changed.map((entry) => `~ ${entry.relpath}`),
        options.limit,
        '  ',
      ),
    )
  }
  return { exitCode: 0, result: diff, human: lines.join('\n') }
}
