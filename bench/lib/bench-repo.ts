import { cp, mkdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { DataRemote } from '@wms/shared/config/workspace-config'
import {
  addDataset,
  openRepo,
  pushDataset,
  type StoreOptions,
  type SyntheticPairFile,
  writeWorkspaceConfig,
} from 'training-runner'

/** Copies `pairs` (paths relative to `source`) into `<dataset>/images|masks`. */
export async function copyPairs(source: string, dataset: string, pairs: readonly SyntheticPairFile[]): Promise<number> {
  await mkdir(path.join(dataset, 'images'), { recursive: true })
  await mkdir(path.join(dataset, 'masks'), { recursive: true })
  for (const pair of pairs) {
    await cp(path.join(source, pair.image), path.join(dataset, pair.image))
    await cp(path.join(source, pair.mask), path.join(dataset, pair.mask))
  }
  return pairs.length
}

/**
 * A workspace whose main holds `existing` pairs (pushed to `remote`, raw files removed), with a bare origin.
 */
export async function createBenchRepo(
  base: string,
  options: {
    source: string
    existing: readonly SyntheticPairFile[]
    remote: DataRemote
    store: StoreOptions
  },
): Promise<{ root: string; origin: string }> {
  const root = path.join(base, 'workspace')
  const origin = path.join(base, 'origin.git')
  await mkdir(root, { recursive: true })
  await openRepo(base).raw(['init', '--bare', '--initial-branch=main', origin])
  const git = openRepo(root)
  await git.raw(['init', '--initial-branch=main'])
  await git.addConfig('user.name', 'WMS bench')
  await git.addConfig('user.email', 'bench@wms.invalid')
  await writeWorkspaceConfig(root, {
    version: 1,
    name: 'Bench',
    dataset: { root: 'data/training', remote: options.remote },
    tracking: { uri: 'file:../mlruns' },
  })
  await writeFile(path.join(root, '.gitignore'), '/.wms/\n')
  const dataset = path.join(root, 'data/training')
  await copyPairs(options.source, dataset, options.existing)
  await addDataset(root, options.store)
  await pushDataset(root, options.store)
  await rm(path.join(dataset, 'images'), { recursive: true })
  await rm(path.join(dataset, 'masks'), { recursive: true })
  await git.add(['.'])
  await git.commit('Dataset')
  await git.addRemote('origin', origin)
  await git.push(['--set-upstream', 'origin', 'main'])
  return { root, origin }
}

/**
 * Checks out a new data branch from main that adds `incoming` pairs, as CI sees it: a clean tree, no raw files
 * of an earlier branch, no manifest cache.
 */
export async function startDataBranch(
  root: string,
  name: string,
  source: string,
  incoming: readonly SyntheticPairFile[],
): Promise<void> {
  const git = openRepo(root)
  await git.raw(['reset', '--hard', '--quiet'])
  await git.raw(['clean', '-fdxq'])
  await git.checkout(['-b', name, 'main'])
  await copyPairs(source, path.join(root, 'data/training'), incoming)
  await git.add(['-A'])
  await git.commit('Add pairs')
}
