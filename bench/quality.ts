/**
 * Training quality at a fixed wall-clock budget (issue 18; a bench, not a CI test): trains each recipe on a real
 * dataset for the same number of seconds, in the same run, and prints test Dice/IoU (at the model's input size and
 * at each photo's own size), the validation curve, and the new recipe's gain over the old default.
 *
 *   npm run bench:quality -- --data ../shared/datasets/wms-sample [--minutes 15] [--recipes old,new,focal]
 *                            [--size 128] [--sequential]
 *
 * By default the recipes train at the same time, one process each with one worker thread, so every recipe sees
 * the same machine load and the same compute (the fair comparison of recipes on a shared machine). `--sequential`
 * runs them one after another with their own worker setting instead (what a user with the whole machine gets).
 * Each recipe's run: `trainModel` with `maxSeconds` = the budget (training stops at the first step after it, then
 * validates; the best epoch by the recipe's own monitor is kept), then `evaluateModel` on the test split.
 * Results land in bench/results/quality-<time>.json.
 */
import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { evaluateModel, selectBackend, trainModel } from 'training-runner'

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const args = process.argv.slice(2)
const option = (name: string): string | undefined => {
  const i = args.indexOf(`--${name}`)
  return i >= 0 ? args[i + 1] : undefined
}
const log = (line: string): void => {
  process.stdout.write(`${line}\n`)
}
const loadNow = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')

/** The recipes: `old` is the default before issue 18 (the old system's train.yaml); `new` is today's default. */
const RECIPES: Record<string, Record<string, unknown>> = {
  old: { loss: 'bce', learningRate: 1e-4, warmupEpochs: 0, monitor: 'val-loss' },
  new: {},
  focal: { loss: 'focal-dice' },
  'dice-lr1e-4': { learningRate: 1e-4 },
  'bce-lr1e-3': { loss: 'bce', warmupEpochs: 1, monitor: 'val-loss' },
}

/** What one recipe's child process prints (one JSON line). */
interface RecipeResult {
  recipe: string
  config: Record<string, unknown>
  epochsRun: number
  bestEpoch: number
  trainSeconds: number
  test: { dice: number; iou: number; nativeDice: number | null; nativeIou: number | null; count: number }
  curve: { epoch: number; valDice: number | null; trainLoss: number; learningRate: number; seconds: number }[]
  loadAtEnd: string
}

const child = option('child')
if (child !== undefined) await runChild(child)
else await runParent()

async function runChild(recipe: string): Promise<void> {
  const data = option('data') ?? ''
  const out = option('out') ?? ''
  const overrides = RECIPES[recipe]
  if (overrides === undefined) throw new Error(`unknown recipe ${recipe}`)
  const config = {
    imageSize: Number(option('size') ?? 128),
    epochs: 1000,
    earlyStoppingPatience: 1000,
    maxSeconds: Number(option('seconds') ?? 900),
    backend: 'wasm' as const,
    ...(option('workers') === undefined ? {} : { workers: Number(option('workers')) }),
    ...overrides,
  }
  const backend = await selectBackend('wasm')
  const result = await trainModel({ datasetRoot: data, outDir: out, config, backend, resume: false })
  const evaluation = await evaluateModel(out, { datasetRoot: data, split: 'test', backend })
  const native = evaluation.native
  const line: RecipeResult = {
    recipe,
    config,
    epochsRun: result.epochsRun,
    bestEpoch: result.bestEpoch,
    trainSeconds: result.seconds,
    test: {
      dice: evaluation.aggregate.dice,
      iou: evaluation.aggregate.iou,
      nativeDice: native.aggregate.dice,
      nativeIou: native.aggregate.iou,
      count: evaluation.aggregate.count,
    },
    curve: result.history.map((h) => ({
      epoch: h.epoch,
      valDice: h.valDice,
      trainLoss: h.trainLoss,
      learningRate: h.learningRate,
      seconds: h.seconds,
    })),
    loadAtEnd: loadNow(),
  }
  log(`RESULT ${JSON.stringify(line)}`)
}

async function runParent(): Promise<void> {
  const data = path.resolve(option('data') ?? path.join(repoRoot, '..', '..', 'shared', 'datasets', 'wms-sample'))
  const minutes = Number(option('minutes') ?? 15)
  const recipes = (option('recipes') ?? 'old,new').split(',')
  const sequential = args.includes('--sequential')
  log(
    `quality bench: ${recipes.join(', ')} on ${data}, ${String(minutes)} min each, ${sequential ? 'one after another' : 'at the same time, 1 worker each'}`,
  )
  log(`machine: ${String(os.cpus().length)} × ${os.cpus()[0]?.model ?? 'cpu'}, load ${loadNow()} at the start`)
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'wms-bench-quality-'))
  try {
    const start = (recipe: string): Promise<RecipeResult> =>
      runRecipe(recipe, [
        '--data',
        data,
        '--out',
        path.join(scratch, recipe),
        '--seconds',
        String(minutes * 60),
        '--size',
        option('size') ?? '128',
        ...(sequential ? [] : ['--workers', '1']),
      ])
    const results: RecipeResult[] = []
    if (sequential) for (const recipe of recipes) results.push(await start(recipe))
    else results.push(...(await Promise.all(recipes.map(start))))
    report(results)
    await mkdir(path.join(repoRoot, 'bench', 'results'), { recursive: true })
    const file = path.join(
      repoRoot,
      'bench',
      'results',
      `quality-${new Date().toISOString().replace(/[:.]/g, '-')}.json`,
    )
    await writeFile(file, `${JSON.stringify({ data, minutes, sequential, loadAtEnd: loadNow(), results }, null, 2)}\n`)
    log(`results: ${path.relative(repoRoot, file)}`)
  } finally {
    await rm(scratch, { recursive: true, force: true })
  }
}

/** Runs one recipe in its own process (its own wasm instance) and returns its result line. */
function runRecipe(recipe: string, extra: string[]): Promise<RecipeResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(
      process.execPath,
      [...process.execArgv, fileURLToPath(import.meta.url), '--child', recipe, ...extra],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
    let output = ''
    proc.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
    })
    proc.on('error', reject)
    proc.on('close', (code) => {
      const line = output.split('\n').find((l) => l.startsWith('RESULT '))
      if (code !== 0 || line === undefined) {
        reject(new Error(`recipe ${recipe} failed (exit ${String(code)}): ${output.slice(-2000)}`))
        return
      }
      resolve(JSON.parse(line.slice('RESULT '.length)) as RecipeResult)
    })
  })
}

function report(results: RecipeResult[]): void {
  const f = (v: number | null): string => (v === null ? '–' : v.toFixed(3))
  log('')
  log('| recipe | epochs | best epoch | test Dice | test IoU | Dice at photo size | IoU at photo size | load at end |')
  log('|---|---|---|---|---|---|---|---|')
  for (const r of results) {
    log(
      `| ${r.recipe} | ${String(r.epochsRun)} | ${String(r.bestEpoch)} | ${f(r.test.dice)} | ${f(r.test.iou)} | ${f(r.test.nativeDice)} | ${f(r.test.nativeIou)} | ${r.loadAtEnd} |`,
    )
  }
  log('')
  for (const r of results) {
    log(
      `curve ${r.recipe} (epoch: val Dice @ seconds): ${r.curve.map((c) => `${String(c.epoch)}: ${f(c.valDice)} @ ${c.seconds.toFixed(0)} s`).join(', ')}`,
    )
  }
  const old = results.find((r) => r.recipe === 'old')
  if (old === undefined) return
  for (const r of results.filter((x) => x !== old)) {
    log(
      `${r.recipe} vs old: test Dice ${f(r.test.dice)} vs ${f(old.test.dice)} (${(r.test.dice - old.test.dice >= 0 ? '+' : '') + (r.test.dice - old.test.dice).toFixed(3)}, ×${(r.test.dice / old.test.dice).toFixed(2)}), IoU ${f(r.test.iou)} vs ${f(old.test.iou)}`,
    )
  }
}
