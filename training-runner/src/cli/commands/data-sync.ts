import path from 'node:path'
import { addDataset, pullDataset, pushDataset, removeFromDataset } from '../../dvc/sync.js'
import type { CommandContext, CommandOutcome } from '../context.js'
import { capped, objectsAndBytes } from './data-format.js'

/** `training-runner data add`: hash the dataset folders and write their `.dvc` files (like `dvc add`). */
export async function dataAddCommand(options: { workspace: string }, context: CommandContext): Promise<CommandOutcome> {
  const outs = await addDataset(path.resolve(context.io.cwd, options.workspace), { events: context.events })
  return {
    exitCode: 0,
    result: outs,
    human: [
      'Tracked (push next with `training-runner data push`):',
      ...Object.entries(outs).map(([name, out]) => `  ${name}.dvc → ${out.md5} (${String(out.nfiles ?? 0)} files)`),
    ].join('\n'),
  }
}

/** `training-runner data remove <file>…`: delete tracked files on purpose (the only way the dataset shrinks). */
export async function dataRemoveCommand(
  files: string[],
  options: { workspace: string },
  context: CommandContext,
): Promise<CommandOutcome> {
  const result = await removeFromDataset(path.resolve(context.io.cwd, options.workspace), files, {
    events: context.events,
  })
  return {
    exitCode: 0,
    result,
    human: [
      `Removed ${String(result.removed.length)} file(s) from the dataset (push next with \`training-runner data push\`):`,
      ...capped(result.removed, 20),
      ...Object.entries(result.outs).map(
        ([name, out]) => `  ${name}.dvc → ${out.md5} (${String(out.nfiles ?? 0)} files)`,
      ),
    ].join('\n'),
  }
}

/** `training-runner data push`: upload what the remote lacks, then the manifests (like `dvc push`). */
export async function dataPushCommand(
  options: { workspace: string; repair?: boolean },
  context: CommandContext,
): Promise<CommandOutcome> {
  const result = await pushDataset(path.resolve(context.io.cwd, options.workspace), {
    events: context.events,
    repair: options.repair === true,
  })
  const repaired = result.repaired > 0 || options.repair === true ? `; repaired ${String(result.repaired)} damaged` : ''
  return {
    exitCode: 0,
    result,
    human: `Pushed ${objectsAndBytes(result.transferred, result.bytes)}; ${String(result.present)} already in the remote${repaired}; ${String(result.manifests)} new manifest(s).`,
  }
}

/** `training-runner data pull`: download the tracked files missing here (like `dvc pull`). */
export async function dataPullCommand(
  options: { workspace: string; force?: boolean },
  context: CommandContext,
): Promise<CommandOutcome> {
  const result = await pullDataset(path.resolve(context.io.cwd, options.workspace), {
    events: context.events,
    force: options.force === true,
  })
  const lines = [
    `Pulled ${objectsAndBytes(result.transferred, result.bytes)}; ${String(result.upToDate)} already here.`,
  ]
  if (result.keptModified.length > 0) {
    lines.push(
      'Kept local files that differ from the dataset (--force replaces them):',
      ...capped(result.keptModified, 20),
    )
  }
  if (result.extra.length > 0)
    lines.push('Files here that the dataset does not name (left alone):', ...capped(result.extra, 20))
  return { exitCode: result.keptModified.length > 0 ? 1 : 0, result, human: lines.join('\n') }
}
