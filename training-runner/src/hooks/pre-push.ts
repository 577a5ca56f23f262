import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import { spawnGit } from './hook-git.js'
import { dataPaths, isZeroSha, mainUpdate, parsePushLines, type DataPaths, type PushUpdate } from './push-plan.js'

/**
 * `training-runner hooks pre-push <remote> <url>`: the decision git asks a pre-push hook for.
 *
 * The common case — a push without new data — must stay fast, so this file decides it with one git command and
 * loads nothing heavy; only a push that brings data to main imports the QA engine and the data-branch code
 * (`move-data.ts`).
 */

/** What the hook got from git. */
export interface PrePushInput {
  /** The remote's name (or its URL when the push names a URL). */
  remote: string
  url: string
  /** The ref lines git writes to the hook's stdin. */
  stdin: string
  /** The hook's folder: the top of the working tree (git's choice). */
  cwd: string
  env: NodeJS.ProcessEnv
  /** When the push happens (names the data branch). */
  now?: Date
}

/** What the hook decided. */
export interface PrePushOutcome {
  /** 0 lets the push go on; 1 stops it. */
  exitCode: 0 | 1
  /** What happened and what to do next, for the person pushing ('' when the push passes untouched). */
  message: string
  result: PrePushResult
}

/** The machine-readable decision. */
export type PrePushResult =
  | { action: 'pass'; reason: 'inner-push' | 'not-main' | 'not-a-workspace' | 'no-data' }
  | {
      action: 'moved'
      branch: string | undefined
      alreadyOn: string[]
      files: number
      pairs: number
      movedRef: string | undefined
      resetTo: string
    }
  | { action: 'refused'; reason: RefusalReason }

/** Why a push to main with data was stopped without moving anything. */
export type RefusalReason =
  'mixed' | 'removes-data' | 'transient-data' | 'qa-failed' | 'no-remote-main' | 'push-failed' | 'not-fast-forward'

/** Set on the hook's own push of a data branch, so that no hook (ours or a chained one) acts on it. */
export const INNER_PUSH_ENV = 'WMS_PRE_PUSH_INNER'

const pass = (reason: Extract<PrePushResult, { action: 'pass' }>['reason']): PrePushOutcome => ({
  exitCode: 0,
  message: '',
  result: { action: 'pass', reason },
})

/** Decides a push: passes it untouched, or moves its new data to a data branch and stops it. */
export async function runPrePush(input: PrePushInput): Promise<PrePushOutcome> {
  if (input.env[INNER_PUSH_ENV] === '1') return pass('inner-push')
  const update = mainUpdate(parsePushLines(input.stdin))
  if (update === undefined) return pass('not-main')
  const workTree = workTreeOf(input)
  const root = await datasetRootOf(workTree)
  if (root === undefined) return pass('not-a-workspace')
  const paths = dataPaths(root)
  const touched = await touchedDataPaths(input, update, paths)
  if (touched.length === 0) return pass('no-data')
  const { moveDataToBranch } = await import('./move-data.js')
  return moveDataToBranch({ ...input, update, paths, touched })
}

/**
 * The top of the working tree. git starts hooks there, except when GIT_DIR/GIT_WORK_TREE are set and the push
 * ran outside the working tree: then the hook starts in that outside folder.
 */
function workTreeOf(input: PrePushInput): string {
  const configured = input.env.GIT_WORK_TREE
  if (configured !== undefined && configured !== '') return path.resolve(input.cwd, configured)
  return input.cwd
}

/**
 * The dataset root from `wms.config.json` in the hook's folder, or undefined when this repository is not a WMS
 * Studio workspace. Only the one field is read here; the full config is validated when data is found.
 */
async function datasetRootOf(cwd: string): Promise<string | undefined> {
  const file = path.join(cwd, 'wms.config.json')
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return undefined
  }
  let config: unknown
  try {
    config = JSON.parse(text)
  } catch (thrown) {
    throw new WmsError('workspace/invalid-config', `${file} is not valid JSON: ${(thrown as Error).message}`, {
      hint: 'Fix wms.config.json and push again; the hook cannot tell where the dataset is without it.',
    })
  }
  const dataset = (config as { dataset?: { root?: unknown } } | null)?.dataset
  return typeof dataset?.root === 'string' ? dataset.root : 'data/training'
}

/** Data paths that the push's commits touch (added, changed or removed), by one `git log` over the pushed range. */
async function touchedDataPaths(input: PrePushInput, update: PushUpdate, paths: DataPaths): Promise<string[]> {
  const env = { ...input.env }
  delete env.GIT_INDEX_FILE
  const range = isZeroSha(update.remoteSha) ? [update.localSha] : [`${update.remoteSha}..${update.localSha}`]
  const run = await spawnGit(
    [
      '--literal-pathspecs',
      'log',
      '--format=',
      '--name-only',
      '--no-renames',
      '--full-history',
      '-z',
      ...range,
      '--',
      ...paths.pathspecs,
    ],
    { cwd: input.cwd, env },
  )
  if (run.code !== 0 && /bad revision|unknown revision|bad object|invalid revision/i.test(run.stderr)) {
    throw new WmsError('git/failed', `The remote's main (${update.remoteSha.slice(0, 9)}) is not in this repository.`, {
      hint: `Run git fetch ${input.remote}, bring your branch up to date with its main, and push again.`,
    })
  }
  if (run.code !== 0) {
    throw new WmsError('git/failed', `git log failed: ${run.stderr.trim()}`, {
      hint: 'The hook could not read the commits of this push; nothing was pushed.',
    })
  }
  return [...new Set(run.stdout.split(/[\0\n]/).filter((file) => file !== ''))]
}
