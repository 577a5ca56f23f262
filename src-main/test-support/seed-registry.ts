import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import {
  openWorkspaceTracking,
  promote,
  runGate,
  startRun,
  writeTinyModel,
  type EvaluationPorts,
  type TinyModelOptions,
} from 'training-runner'

/** One registered version to make: its test scores and what its model predicts. */
export interface SeedVersion {
  dice: number
  iou: number
  foreground?: TinyModelOptions['foreground']
}

const TEST_IDS = ['t1', 't2', 't3']
const SCORES_FILE = 'seed-scores.json'

/**
 * Registers versions in a workspace's registry the way the pipeline does — a finished training run with its model
 * (a real, tiny model folder written by the runner), the runner's gate, then its promotion — so the registry, the
 * version tags and `models/production-history.jsonl` are exactly what real promotions leave. Only training and
 * evaluation are stood in for: the gate's evaluator reads each model's scores from a file in its folder, so a
 * version's scores must beat the previous one's for it to be promoted (as in real life).
 */
export async function seedRegistry(
  workspaceRoot: string,
  versions: readonly SeedVersion[],
  options: { startPr?: number } = {},
): Promise<string[]> {
  const { store, config } = await openWorkspaceTracking(workspaceRoot, { env: {} })
  const ports: EvaluationPorts = {
    loadTestSplit: () =>
      Promise.resolve(
        TEST_IDS.map((id) => ({ id, md5: id.padEnd(32, '0'), image: `/t/${id}.jpg`, mask: `/t/${id}.png` })),
      ),
    evaluateModel: async (modelDir, pairs) => {
      const { dice, iou } = JSON.parse(await readFile(path.join(modelDir, SCORES_FILE), 'utf8')) as SeedVersion
      const perImage = pairs.map((pair, index) => ({ id: pair.id, dice: dice + (index - 1) * 0.01, iou }))
      return { aggregate: { dice, iou }, perImage }
    },
  }
  const work = await mkdtemp(path.join(os.tmpdir(), 'wms-seed-'))
  const made: string[] = []
  const written = new Set<string>()
  try {
    for (const [index, seed] of versions.entries()) {
      const number = index + 1
      const logger = await startRun(store, {
        experiment: config.tracking.experiment,
        runName: `seed-${String(number)}`,
        tags: {
          'wms.data.pairs': String(20 + number * 4),
          'wms.data.test_pairs': String(TEST_IDS.length),
          'wms.data.version': `images=${md5(`images ${String(number)}`)}.dir,masks=${md5(`masks ${String(number)}`)}.dir`,
          'wms.git.sha': String(number).padStart(40, 'c'),
        },
      })
      // One folder per kind of model, reused: the run stores a copy, with this version's scores in it.
      const foreground = seed.foreground ?? 'random'
      const modelDir = path.join(work, `model-${foreground}`)
      if (!written.has(foreground)) await writeTinyModel(modelDir, { foreground, seed: 7 })
      written.add(foreground)
      await writeFile(path.join(modelDir, SCORES_FILE), JSON.stringify(seed))
      await logger.logModel(modelDir)
      await logger.logMetrics({ final_test_dice: seed.dice, final_test_iou: seed.iou }, 1)
      await logger.finish()
      await runGate({ store, workspaceRoot, config, candidateRunId: logger.runId, ports, candidateModelDir: modelDir })
      const date = new Date(Date.UTC(2026, 0, 1) + index * 86_400_000)
      const stamp = date.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
      const promoted = await promote({
        store,
        workspaceRoot,
        config,
        runId: logger.runId,
        source: { branch: `data/${stamp}`, pr: (options.startPr ?? 100) + index },
        now: () => date,
      })
      made.push(promoted.version)
    }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
  return made
}

/** `count` versions whose Dice and IoU rise a little each time (each one passes the gate). */
export function risingVersions(count: number, foreground: SeedVersion['foreground'] = 'random'): SeedVersion[] {
  return Array.from({ length: count }, (_, index) => ({
    dice: 0.6 + (0.35 * index) / Math.max(1, count),
    iou: 0.45 + (0.4 * index) / Math.max(1, count),
    foreground,
  }))
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex')
}
