import path from 'node:path'
import { datasetStatus, type FolderStatus } from '../../dvc/status.js'
import { formatBytes } from '@wms/shared/util/format'
import type { CommandContext, CommandOutcome } from '../context.js'

const ADVICE: Record<FolderStatus['state'], string> = {
  clean: 'up to date',
  modified: 'changed here (run `training-runner data add`, then push)',
  'not-pulled': 'files not here (run `training-runner data pull`)',
  untracked: 'not tracked yet (run `training-runner data add`)',
}

/** `training-runner data status`: each dataset folder against its `.dvc` file. */
export async function dataStatusCommand(
  options: { workspace: string; offline?: boolean; checkRemote?: boolean },
  context: CommandContext,
): Promise<CommandOutcome> {
  const status = await datasetStatus(path.resolve(context.io.cwd, options.workspace), {
    offline: options.offline === true,
    checkRemote: options.checkRemote === true,
  })
  const lines = [`Dataset ${status.datasetRoot}, remote ${status.remote}`]
  for (const folder of status.folders) {
    const tracked =
      folder.tracked === null
        ? 'untracked'
        : `${String(folder.tracked.nfiles ?? 0)} files, ${formatBytes(folder.tracked.size)}`
    lines.push(`  ${folder.name.padEnd(8)} ${ADVICE[folder.state]} — tracked: ${tracked}`)
    if (folder.changes !== null && folder.state !== 'clean') {
      lines.push(
        `           here: +${String(folder.changes.added.length)} -${String(folder.changes.removed.length)} ~${String(folder.changes.changed.length)}`,
      )
    }
    if (folder.missingInRemote !== undefined) {
      lines.push(`           remote lacks ${String(folder.missingInRemote)} tracked file(s)`)
    }
    if (folder.problem !== undefined) lines.push(`           ⚠ ${folder.problem.message}`)
  }
  const missing = status.folders.some((folder) => (folder.missingInRemote ?? 0) > 0)
  return { exitCode: missing ? 1 : 0, result: status, human: lines.join('\n') }
}
