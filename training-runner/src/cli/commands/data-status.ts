import path from 'node:path'
import { datasetStatus, type FolderStatus } from '../../dvc/status.js'
import { formatBytes } from '@wms/shared/util/format'
import type { CommandContext, CommandOutcome } from '../context.js'
import { capped } from './data-format.js'

/** What each state means for a person, and what to do about it. */
function advice(folder: FolderStatus, offline: boolean): string {
  const missing = folder.changes?.removed.length ?? 0
  switch (folder.state) {
    case 'clean':
      return offline ? 'matches its .dvc file (offline: pushed or not is unknown)' : 'up to date'
    case 'not-pushed':
      return 'added here, not pushed (run `training-runner data push`)'
    case 'incomplete':
      return `incomplete: ${String(missing)} tracked file(s) not here (run \`training-runner data pull\`)`
    case 'modified':
      return missing > 0
        ? `changed here, and ${String(missing)} tracked file(s) are missing (run \`training-runner data pull\` to restore them, then \`data add\`; delete files on purpose with \`data remove\`)`
        : 'changed here (run `training-runner data add`, then push)'
    case 'not-pulled':
      return 'files not here (run `training-runner data pull`)'
    case 'untracked':
      return 'not tracked yet (run `training-runner data add`)'
  }
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
    lines.push(`  ${folder.name.padEnd(8)} ${advice(folder, options.offline === true)} — tracked: ${tracked}`)
    if (folder.changes !== null && folder.state !== 'clean') {
      lines.push(
        `           here: +${String(folder.changes.added.length)} -${String(folder.changes.removed.length)} ~${String(folder.changes.changed.length)}`,
      )
    }
    if (folder.leftovers.length > 0) {
      lines.push(
        `           ${String(folder.leftovers.length)} leftover temporary file(s) of an interrupted transfer (not data; \`training-runner data pull\` removes them)`,
      )
    }
    if (folder.missingInRemote !== undefined) {
      lines.push(`           remote lacks ${String(folder.missingInRemote)} tracked file(s)`)
    }
    if (folder.damagedInRemote !== undefined && folder.damagedInRemote.length > 0) {
      lines.push(
        `           remote holds damaged copies of ${String(folder.damagedInRemote.length)} file(s) (repair from good copies here: \`training-runner data push --repair\`):`,
        ...capped(folder.damagedInRemote, 10, '             '),
      )
    }
    if (folder.problem !== undefined) lines.push(`           ⚠ could not ask the remote: ${folder.problem.message}`)
  }
  const remoteBad = status.folders.some(
    (folder) => (folder.missingInRemote ?? 0) > 0 || (folder.damagedInRemote?.length ?? 0) > 0,
  )
  return { exitCode: remoteBad ? 1 : 0, result: status, human: lines.join('\n') }
}
