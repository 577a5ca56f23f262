import path from 'node:path'
import { addDataset, pullDataset, pushDataset } from '../../dvc/sync.js'
import { openDatasetWorkspace } from '../../dvc/dataset-workspace.js'
import { refuseLinksLeaving } from '../../qa/dataset-links.js'
import type { CommandContext, CommandOutcome } from '../context.js'
import { capped, objectsAndBytes } from './data-format.js'

/** `training-runner data add`: hash the dataset folders and write their `.dvc` files (like `dvc add`). */
export async function dataAddCommand(options: { workspace: string }, context: CommandContext): Promise<CommandOutcome> {
  const root = path.resolve(context.io.cwd, options.workspace)
  await refuseLinksOf(root, 'add the dataset')
  const outs = await addDataset(root, { events: context.events })
  return {
    exitCode: 0,
    result: outs,
    human: [
      'Tracked (push next with `training-runner data push`):',
      ...Object.entries(outs).map(([name, out]) => `  ${name}.dvc → ${out.md5} (${String(out.nfiles ?? 0)} files)`),
    ].join('\n'),
  }
}

/** `training-runner data push`: upload what the remote lacks, then the manifests (like `dvc push`). */
export async function dataPushCommand(
  options: { workspace: string },
  context: CommandContext,
): Promise<CommandOutcome> {
  const root = path.resolve(context.io.cwd, options.workspace)
  await refuseLinksOf(root, 'push the dataset')
  const result = await pushDataset(root, { events: context.events })
  return {
    exitCode: 0,
    result,
    human: `Pushed ${objectsAndBytes(result.transferred, result.bytes)}; ${String(result.present)} already in the remote; ${String(result.manifests)} new manifest(s).`,
  }
}

/** `training-runner data pull`: download the tracked files missing here (like `dvc pull`). */
export async function dataPullCommand(
  options: { workspace: string; force?: boolean },
  context: CommandContext,
): Promise<CommandOutcome> {
  const root = path.resolve(context.io.cwd, options.workspace)
  // A pull writes through what it finds: a link out of the dataset would have it overwrite the link's target.
  await refuseLinksOf(root, 'pull into the dataset')
  const result = await pullDataset(root, {
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

// Before any dataset byte is read (or written): QA's rule that links stay inside the dataset.
async function refuseLinksOf(root: string, what: string): Promise<void> {
  const workspace = await openDatasetWorkspace(root)
  await refuseLinksLeaving(workspace.datasetDir, what)
}
