import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { ModelEvaluation } from '@wms/shared/gate/verdict'
import { openRepo } from '../../src/adapters/git/run-git.js'
import type { EvaluationPorts } from '../../src/registry/evaluation-port.js'
import { trainingEvaluationPorts } from '../../src/registry/training-evaluation.js'
import { readWorkspaceConfig, writeWorkspaceConfig } from '../../src/workspace/workspace-config-file.js'
import { createDataBranch, createDatasetRepo, type DatasetRepo } from './dataset-repo.js'

/** The smallest real training: 32², one epoch, 8 base filters, on the wasm backend. */
export const TINY_TRAINING = { imageSize: 32, epochs: 1, batchSize: 4, baseFilters: 8, backend: 'wasm' } as const

/**
 * A workspace like the demo's, small: main holds 8 pairs (DVC pointer files, raw files in the local remote), an
 * MLflow FileStore at `../mlruns`, a test share big enough that every test split has pairs, and no first-model
 * floor (a one-epoch model learns little), and QA limits for its tiny pictures.
 */
export async function createPipelineRepo(base: string, pairs = 8): Promise<DatasetRepo> {
  const repo = await createDatasetRepo(base, { pairs })
  const config = await readWorkspaceConfig(repo.root)
  await writeWorkspaceConfig(repo.root, {
    ...config,
    training: { ...config.training, split: { train: 50, val: 20, test: 30 } },
    gate: { ...config.gate, firstModelMinDice: 0 },
    // The generated pairs are tiny (48×36) to keep the tests fast.
    qa: { ...config.qa, minSide: 32, nearEmptyPixels: 10 },
  })
  const git = openRepo(repo.root)
  await git.add(['wms.config.json'])
  await git.commit('Pipeline settings')
  await git.push('origin', 'main')
  return repo
}

/** Commits `pairs` new pairs on a new data branch from main, pushes it, and goes back to main. */
export async function pushDataBranch(
  repo: DatasetRepo,
  name: string,
  options: { pairs: number; startId: number; extraFiles?: Record<string, string | Buffer> },
): Promise<string> {
  await createDataBranch(repo.root, { name, ...options })
  const git = openRepo(repo.root)
  await git.push('origin', name)
  const commit = (await git.revparse(['HEAD'])).trim()
  await git.checkout('main')
  return commit
}

/** The commit of `ref` in the bare origin, or '' when it does not exist. */
export async function originRef(repo: DatasetRepo, ref: string): Promise<string> {
  return (
    await openRepo(repo.origin)
      .raw(['rev-parse', '--verify', '--quiet', ref])
      .catch(() => '')
  ).trim()
}

/** The worktrees git knows of in the workspace (the workspace itself is the first). */
export async function worktrees(repo: DatasetRepo): Promise<string[]> {
  const listed = await openRepo(repo.root).raw(['worktree', 'list', '--porcelain'])
  return listed
    .split('\n')
    .filter((line) => line.startsWith('worktree '))
    .map((line) => line.slice('worktree '.length))
}

/**
 * Gate evaluation for tests: the real test split, and a score that grows with the number of pairs a model was
 * trained on (read from its `metadata.json`), so a model trained on more data is better — or, with `flat`, every
 * model scores the same (never better than production).
 */
export function scoresByTrainingData(options: { flat?: boolean } = {}): EvaluationPorts {
  return {
    loadTestSplit: trainingEvaluationPorts().loadTestSplit,
    evaluateModel: async (modelDir, pairs): Promise<ModelEvaluation> => {
      const metadata = JSON.parse(await readFile(path.join(modelDir, 'metadata.json'), 'utf8')) as {
        data: { counts: { train: number } }
      }
      const dice = options.flat === true ? 0.5 : Math.min(0.99, 0.3 + metadata.data.counts.train / 100)
      const iou = dice - 0.1
      return {
        aggregate: { dice, iou },
        perImage: pairs.map((pair) => ({ id: pair.id, dice, iou })),
      }
    },
  }
}
