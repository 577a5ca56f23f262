import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import { addDataset, pullDataset, pushDataset, removeFromDataset } from '../../dvc/sync.js'
import { openDatasetWorkspace } from '../../dvc/dataset-workspace.js'
import type { TransferReport } from '../../dvc/transfer.js'
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

/** `training-runner data remove <file>…`: delete tracked files on purpose (the only way the dataset shrinks). */
export async function dataRemoveCommand(
  files: string[],
  options: { workspace: string },
  context: CommandContext,
): Promise<CommandOutcome> {
  const root = path.resolve(context.io.cwd, options.workspace)
  await refuseLinksOf(root, 'remove files from the dataset')
  const result = await removeFromDataset(root, files, { events: context.events })
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
  const root = path.resolve(context.io.cwd, options.workspace)
  await refuseLinksOf(root, 'push the dataset')
  const signal = context.interrupts?.signal(
    'Stopping the push: the uploads in flight finish or are cancelled, nothing stored is lost…',
  )
  let sofar: TransferReport | undefined
  const result = await pushDataset(root, {
    events: context.events,
    repair: options.repair === true,
    onStored: (report) => (sofar = { ...report }),
    ...(signal === undefined ? {} : { signal }),
  }).catch((thrown: unknown) => {
    throw signal?.aborted === true ? pushInterrupted(sofar) : thrown
  })
  const repaired = result.repaired > 0 || options.repair === true ? `; repaired ${String(result.repaired)} damaged` : ''
  return {
    exitCode: 0,
    result,
    human: `Pushed ${objectsAndBytes(result.transferred, result.bytes)}; ${String(result.present)} already in the remote${repaired}; ${String(result.manifests)} new manifest(s).`,
  }
}

// What a Ctrl-C left: the objects stored so far stay (content-addressed, harmless); no manifest was written.
function pushInterrupted(sofar: TransferReport | undefined): WmsError {
  const stored =
    sofar === undefined
      ? 'before any file was uploaded'
      : `after uploading ${objectsAndBytes(sofar.transferred, sofar.bytes)} of the new files`
  return new WmsError(
    'cancelled',
    `Push interrupted ${stored}; the dataset version was not published (its manifests were not written), so nobody sees a partial version.`,
    {
      hint: 'Run `training-runner data push` again: it skips what is already in the remote and finishes.',
      details: { sofar },
    },
  )
}

/** `training-runner data pull`: download the tracked files missing here (like `dvc pull`). */
export async function dataPullCommand(
  options: { workspace: string; force?: boolean },
  context: CommandContext,
): Promise<CommandOutcome> {
  const root = path.resolve(context.io.cwd, options.workspace)
  // A pull writes through what it finds: a link out of the dataset would have it overwrite the link's target.
  await refuseLinksOf(root, 'pull into the dataset')
  const signal = context.interrupts?.signal('Stopping the pull: partial files are removed, complete ones kept…')
  const result = await pullDataset(root, {
    events: context.events,
    force: options.force === true,
    ...(signal === undefined ? {} : { signal }),
  }).catch((thrown: unknown) => {
    if (signal?.aborted !== true) throw thrown
    throw new WmsError('cancelled', 'Pull interrupted: the dataset here is incomplete (no partial file was kept).', {
      hint: 'Run `training-runner data pull` again to fetch the rest; `data status` shows what is missing.',
    })
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
