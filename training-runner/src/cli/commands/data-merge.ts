import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import { mergeDataBranch, summarize } from '../../dvc/merge.js'
import type { CommandContext, CommandOutcome } from '../context.js'
import { withWorkspaceLock } from '../../workspace/workspace-lock.js'
import { capped, countsLine, objectsAndBytes } from './data-format.js'

/** `training-runner data merge`: the CI merge step of a data branch (see `mergeDataBranch`). */
export async function dataMergeCommand(
  options: { workspace: string; base: string; commit?: boolean; allowEmpty?: boolean },
  context: CommandContext,
): Promise<CommandOutcome> {
  const workspace = path.resolve(context.io.cwd, options.workspace)
  const signal = context.interrupts?.signal(
    'Stopping the merge: uploads in flight finish or are cancelled; no manifest or .dvc file is written…',
  )
  const merge = (): ReturnType<typeof mergeDataBranch> =>
    mergeDataBranch({
      workspace,
      base: options.base,
      commit: options.commit === true,
      events: context.events,
      ...(signal === undefined ? {} : { signal }),
    }).catch((thrown: unknown) => {
      if (signal?.aborted !== true) throw thrown
      throw new WmsError(
        'cancelled',
        'Merge interrupted before it was published: objects already uploaded stay (harmless, content-addressed); no manifest or .dvc file was written.',
        { hint: 'Run `training-runner data merge` again: it skips what is already in the remote and finishes.' },
      )
    })
  const result = await withWorkspaceLock(
    workspace,
    'data-merge',
    'data merge',
    merge,
    (releaseNow) => context.interrupts?.onForcedStop(releaseNow) ?? (() => undefined),
  )
  const lines = [
    `${result.status === 'merged' ? 'Merged' : 'Nothing to merge'} — ${summarize(result)}`,
    `  base     ${result.base.revision} (${result.base.commit.slice(0, 12)})${result.base.hasDataset ? '' : ', no dataset yet: this is the first version'}`,
    ...Object.entries(result.byFolder).map(([name, counts]) => countsLine(name, counts)),
  ]
  if (result.replaced.length > 0) {
    lines.push(
      '  replaced:',
      ...capped(
        result.replaced.map((r) => `${r.path}  (was ${r.from}): ${r.reason}`),
        20,
      ),
    )
  }
  if (result.ignored.length > 0) lines.push('  not merged (not images):', ...capped(result.ignored, 10))
  if (result.status === 'merged') {
    lines.push(
      `  uploaded ${objectsAndBytes(result.upload.transferred, result.upload.bytes)}, ${String(result.upload.present)} already in the remote, ${String(result.upload.manifests)} new manifest(s)`,
      ...Object.entries(result.dvc).map(
        ([name, out]) => `  ${name}.dvc → ${out.md5} (${String(out.nfiles ?? 0)} files)`,
      ),
      result.committed === null
        ? '  staged: the .dvc files are added and the raw files are out of the index; commit when ready'
        : `  committed ${result.committed.slice(0, 12)}`,
    )
  } else if (options.allowEmpty !== true) {
    lines.push('  The branch adds no new file; nothing was changed. (--allow-empty makes this a success.)')
  }
  return {
    exitCode: result.status === 'merged' || options.allowEmpty === true ? 0 : 1,
    result,
    human: lines.join('\n'),
  }
}
