import { mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { DataRemote } from '@wms/shared/config/workspace-config'
import { openRepo, runGit } from '../../src/adapters/git/run-git.js'
import { writeSyntheticDataset, type SyntheticPairFile } from '../../src/demo/synthetic-dataset.js'
import type { StoreOptions } from '../../src/dvc/dataset-workspace.js'
import { addDataset, pushDataset } from '../../src/dvc/sync.js'
import { writeWorkspaceConfig } from '../../src/workspace/workspace-config-file.js'

/** A workspace repository whose main holds a pushed dataset, with a bare origin, like CI sees it. */
export interface DatasetRepo {
  root: string
  origin: string
  /** The local DVC remote directory (when the remote is local). */
  remoteDir: string
  /** The pairs main's dataset holds (paths relative to the dataset root). */
  pairs: SyntheticPairFile[]
}

/** Small images keep generated datasets fast. */
export const SMALL_SIZES: readonly (readonly [number, number])[] = [
  [48, 36],
  [36, 48],
]

/**
 * Creates `<base>/workspace` (main: config + `.dvc` files of `pairs` synthetic pairs, raw files pushed to the
 * remote and removed), `<base>/origin.git` and, for a local remote, `<base>/dvc-remote`.
 */
export async function createDatasetRepo(
  base: string,
  options: { pairs: number; remote?: Record<string, unknown> & Pick<DataRemote, 'type'>; store?: StoreOptions },
): Promise<DatasetRepo> {
  const root = path.join(base, 'workspace')
  const origin = path.join(base, 'origin.git')
  const remoteDir = path.join(base, 'dvc-remote')
  await mkdir(root, { recursive: true })
  await mkdir(remoteDir, { recursive: true })
  await runGit('init --bare', () => openRepo(base).raw(['init', '--bare', '--initial-branch=main', origin]))
  const git = openRepo(root)
  await runGit('init', () => git.raw(['init', '--initial-branch=main']))
  await git.addConfig('user.name', 'WMS test')
  await git.addConfig('user.email', 'test@wms.invalid')
  await writeWorkspaceConfig(root, {
    version: 1,
    name: 'Test meters',
    dataset: {
      root: 'data/training',
      remote: (options.remote ?? { type: 'local', path: '../dvc-remote' }) as DataRemote,
    },
    tracking: { uri: 'file:../mlruns' },
  })
  // The manifest cache is machine state, like in the demo workspace.
  await writeFile(path.join(root, '.gitignore'), '/.wms/\n')
  const dataset = path.join(root, 'data/training')
  const pairs = await writeSyntheticDataset(dataset, { count: options.pairs, seed: 11, sizes: SMALL_SIZES })
  await addDataset(root, options.store)
  await pushDataset(root, options.store)
  await rm(path.join(dataset, 'images'), { recursive: true })
  await rm(path.join(dataset, 'masks'), { recursive: true })
  await git.add(['.'])
  await git.commit('Dataset v1')
  await git.addRemote('origin', origin)
  await git.push(['--set-upstream', 'origin', 'main'])
  return { root, origin, remoteDir, pairs }
}

/** Checks out a new data branch from main and commits `pairs` new synthetic pairs on it (raw files in git). */
export async function createDataBranch(
  root: string,
  options: {
    name?: string
    pairs: number
    startId: number
    seed?: number
    extraFiles?: Record<string, string | Buffer>
  },
): Promise<void> {
  const git = openRepo(root)
  await git.checkout(['-b', options.name ?? `data/test-${String(options.startId)}`, 'main'])
  const dataset = path.join(root, 'data/training')
  // Like a fresh checkout: no raw files left over from another branch.
  await rm(path.join(dataset, 'images'), { recursive: true, force: true })
  await rm(path.join(dataset, 'masks'), { recursive: true, force: true })
  if (options.pairs > 0) {
    await writeSyntheticDataset(dataset, {
      count: options.pairs,
      seed: options.seed ?? options.startId,
      startId: options.startId,
      sizes: SMALL_SIZES,
    })
  }
  for (const [relpath, content] of Object.entries(options.extraFiles ?? {})) {
    await mkdir(path.dirname(path.join(dataset, relpath)), { recursive: true })
    await writeFile(path.join(dataset, relpath), content)
  }
  await git.add(['-A'])
  await git.commit(`Add ${String(options.pairs)} pairs`)
}

/** Paths git tracks under `prefix`. */
export async function trackedFiles(root: string, prefix: string): Promise<string[]> {
  const listed = await openRepo(root).raw(['ls-files', '--', prefix])
  return listed.split('\n').filter((line) => line !== '')
}
