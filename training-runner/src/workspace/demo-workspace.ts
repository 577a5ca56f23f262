import { mkdir, rename, rm, writeFile, access } from 'node:fs/promises'
import path from 'node:path'
import type { WorkspaceConfigInput } from '@wms/shared/config/workspace-config'
import { openRepo, runGit } from '../adapters/git/run-git.js'
import { writeSyntheticDataset } from '../demo/synthetic-dataset.js'
import { nullSink, type EventSink } from '../events/event-sink.js'
import { DEMO_MARKER_FILE } from './workspace-info.js'
import { writeWorkspaceConfig } from './workspace-config-file.js'
import { addDataset, pushDataset } from '../dvc/sync.js'
import { WmsError } from '@wms/shared/errors'
import { TrainingConfigSchema } from '@wms/shared/config/training-config'
import { splitOf } from '@wms/shared/dataset/split'
import { md5File } from '../fs/hash-file.js'
import { loadDatasetSplit } from '../train/dataset-samples.js'
import { checkDemoTarget, makeFolderChain, partialFolder, removeStalePartials } from './demo-target.js'

/**
 * The embedded demo (PRODUCT.md §4): everything a real deployment has, but local and offline —
 *
 *   <base>/workspace     git repository (branch main) with wms.config.json, origin = ../origin.git
 *   <base>/origin.git    bare repository standing in for GitHub
 *   <base>/dvc-remote    DVC remote directory standing in for S3
 *   <base>/mlruns        MLflow FileStore standing in for the tracking server
 *   <base>/incoming      synthetic new pairs for the annotator to add in the app
 */
export interface DemoLayout {
  base: string
  workspace: string
  origin: string
  dvcRemote: string
  mlruns: string
  incoming: string
}

/** Where each part of the demo lives under `base`. */
export function demoLayout(base: string): DemoLayout {
  return {
    base,
    workspace: path.join(base, 'workspace'),
    origin: path.join(base, 'origin.git'),
    dvcRemote: path.join(base, 'dvc-remote'),
    mlruns: path.join(base, 'mlruns'),
    incoming: path.join(base, 'incoming'),
  }
}

/** Options of {@link createDemoWorkspace}. */
export interface DemoOptions {
  /** Pairs in the initial dataset. */
  pairs?: number
  /** Pairs in `incoming/` for the annotator to add. */
  incoming?: number
  /**
   * Test pairs the initial dataset must have (default {@link DEMO_MIN_TEST_PAIRS}; with it, one validation pair):
   * the gate scores models on the test split, so the demo's loop needs one. Pairs are drawn until the hash split
   * gives the split these; 0 keeps exactly `pairs` pairs.
   */
  minTestPairs?: number
  events?: EventSink
  /** Stops the build at its next step; the half-made folder is removed and a `cancelled` error thrown. */
  signal?: AbortSignal
}

/** Test pairs every demo dataset has, so its first training run can be gated. */
export const DEMO_MIN_TEST_PAIRS = 3

/**
 * The demo's project config: local remotes, and training small enough to finish in about a minute on a laptop yet
 * good enough (test Dice ≈ 0.9 on the synthetic meters) for its first model to clear the gate's first-model floor:
 * 64², 10 epochs at learning rate 1e-3.
 */
export function demoConfig(): WorkspaceConfigInput {
  return {
    version: 1,
    name: 'Demo water meters',
    dataset: { root: 'data/training', remote: { type: 'local', path: '../dvc-remote' } },
    tracking: {
      uri: 'file:../mlruns',
      experiment: 'water-meter-segmentation',
      registeredModel: 'water-meter-segmentation',
    },
    github: null,
    pipeline: { runner: 'local' },
    training: { imageSize: 64, epochs: 10, batchSize: 4, learningRate: 0.001 },
  }
}

const GITIGNORE = `# Raw training files live in the DVC remote; git tracks only the .dvc pointer files.
/data/training/images/
/data/training/masks/
# App state (staging area, caches) stays on this machine.
/.wms/
# Models trained here are recorded in MLflow; only the production history is versioned.
/models/candidate/
`

const README = `# Demo water meters

A WMS Studio workspace created for you to try the whole loop offline: add pairs from \`../incoming\` in the app,
push them as a data branch, and watch the local pipeline merge, check, train, gate and promote.

- \`wms.config.json\`: the project config (remotes, QA policy, training, gate)
- \`data/training/\`: the dataset (raw files in \`../dvc-remote\`, tracked by DVC pointer files)
- \`../origin.git\`: the git remote, \`../mlruns\`: the MLflow FileStore
`

/** True when `base` already holds a complete demo workspace. */
export async function demoExists(base: string): Promise<boolean> {
  try {
    await access(path.join(demoLayout(base).workspace, 'wms.config.json'))
    return true
  } catch {
    return false
  }
}

/**
 * Creates the demo under `base`. It is built in a sibling temporary folder and renamed into place at the end,
 * so a crash half-way never leaves a half-made demo that the app would then try to open.
 */
export async function createDemoWorkspace(base: string, options: DemoOptions = {}): Promise<DemoLayout> {
  const events = options.events ?? nullSink
  await checkDemoTarget(base)
  // A run killed before it could clean up left its half-made folder; nobody else will remove it.
  await removeStalePartials(base)
  const started = Date.now()
  events.emit({ type: 'step-start', step: 'demo', title: `Creating the demo workspace in ${base}` })
  const staging = partialFolder(base)
  await makeFolderChain(staging)
  try {
    await buildDemo(staging, options)
    await checkDemoTarget(base)
    // rename() replaces an empty folder and fails on anything else: what the user put there meanwhile stays.
    await rename(staging, base)
  } catch (thrown) {
    await rm(staging, { recursive: true, force: true })
    throw thrown
  }
  events.emit({ type: 'step-end', step: 'demo', status: 'ok', seconds: (Date.now() - started) / 1000 })
  return demoLayout(base)
}

function stopIfAsked(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) {
    throw new WmsError('cancelled', 'Stopped: the demo was not created (its half-made folder was removed).', {
      hint: 'Run the same command again to create it.',
    })
  }
}

async function buildDemo(staging: string, options: DemoOptions): Promise<void> {
  const events = options.events ?? nullSink
  const { signal } = options
  const layout = demoLayout(staging)
  await mkdir(layout.workspace, { recursive: true })
  await mkdir(layout.dvcRemote, { recursive: true })
  await mkdir(layout.mlruns, { recursive: true })

  await runGit('init --bare', () => openRepo(staging).raw(['init', '--bare', '--initial-branch=main', layout.origin]))
  const git = openRepo(layout.workspace)
  await runGit('init', () => git.raw(['init', '--initial-branch=main']))
  await ensureIdentity(git)

  await writeWorkspaceConfig(layout.workspace, demoConfig())
  await writeFile(path.join(layout.workspace, '.gitignore'), GITIGNORE)
  await writeFile(path.join(layout.workspace, 'README.md'), README)
  await writeFile(path.join(layout.workspace, DEMO_MARKER_FILE), 'Created by WMS Studio as the demo workspace.\n')
  stopIfAsked(signal)

  const pairs = options.pairs ?? 20
  events.emit({ type: 'progress', step: 'demo', done: 0, total: pairs, unit: 'pairs', message: 'initial dataset' })
  const datasetDir = path.join(layout.workspace, 'data/training')
  await writeSyntheticDataset(datasetDir, { count: pairs, seed: 2026 })
  stopIfAsked(signal)
  await completeSplits(datasetDir, pairs, options.minTestPairs ?? DEMO_MIN_TEST_PAIRS, path.join(staging, 'draws'))
  events.emit({ type: 'progress', step: 'demo', done: pairs, total: pairs, unit: 'pairs', message: 'initial dataset' })
  stopIfAsked(signal)
  await writeSyntheticDataset(layout.incoming, {
    count: options.incoming ?? 12,
    seed: 7,
    startId: pairs + 1,
    maskFormat: 'jpeg',
    exifRotatedEvery: 3,
    gpsEvery: 4,
  })
  stopIfAsked(signal)

  // Version the initial dataset as CI would: DVC pointer files in git, raw files in the (local) DVC remote.
  await addDataset(layout.workspace)
  await pushDataset(layout.workspace)
  stopIfAsked(signal)

  await runGit('add', () => git.add(['.']))
  await runGit('commit', () => git.commit('Create the WMS Studio demo workspace'))
  await runGit('remote add', () => git.addRemote('origin', '../origin.git'))
  await runGit('push', () => git.push(['--set-upstream', 'origin', 'main']))
  stopIfAsked(signal)
}

/** Creates the demo under `base` unless it is already there; returns its layout either way. */
export async function ensureDemoWorkspace(base: string, options: DemoOptions = {}): Promise<DemoLayout> {
  if (await demoExists(base)) return demoLayout(base)
  return createDemoWorkspace(base, options)
}

/**
 * Draws extra synthetic pairs until the hash split (the demo's, the default 80/10/10) gives the test split
 * `minTest` pairs and the validation split one; a drawn pair that would only grow the training split is dropped, so
 * the demo stays small (its training takes minutes on a laptop). Deterministic: the draws are seeded.
 */
async function completeSplits(datasetDir: string, pairs: number, minTest: number, scratch: string): Promise<void> {
  if (minTest <= 0) return
  const ratios = TrainingConfigSchema.parse(demoConfig().training).split
  const { splits } = await loadDatasetSplit(datasetDir, ratios)
  const have = { test: splits.test.length, val: splits.val.length }
  let nextId = pairs + 1
  for (let draw = 0; (have.test < minTest || have.val < 1) && draw < 1000; draw += 1) {
    const dir = path.join(scratch, String(draw))
    const [pair] = await writeSyntheticDataset(dir, { count: 1, seed: 90_000 + draw, startId: nextId })
    if (pair === undefined) continue
    const split = splitOf(await md5File(path.join(dir, pair.image)), ratios)
    if ((split === 'test' && have.test < minTest) || (split === 'val' && have.val < 1)) {
      have[split] += 1
      nextId += 1
      await rename(path.join(dir, pair.image), path.join(datasetDir, pair.image))
      await rename(path.join(dir, pair.mask), path.join(datasetDir, pair.mask))
    }
    await rm(dir, { recursive: true, force: true })
  }
  await rm(scratch, { recursive: true, force: true })
}

// Commits need an identity; give the demo repository one only if the user has none configured.
async function ensureIdentity(git: ReturnType<typeof openRepo>): Promise<void> {
  const email = await git.raw(['config', '--get', 'user.email']).catch(() => '')
  if (email.trim() !== '') return
  await runGit('config', () => git.addConfig('user.name', 'WMS Studio demo'))
  await runGit('config', () => git.addConfig('user.email', 'demo@wms-studio.invalid'))
}
