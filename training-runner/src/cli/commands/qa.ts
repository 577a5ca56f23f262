import { mkdir, realpath, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { QaPolicy } from '@wms/shared/config/qa-policy'
import { WmsError } from '@wms/shared/errors'
import type { DatasetIndexEntry } from '@wms/shared/qa/dataset-index'
import type { ProbedSample } from '@wms/shared/qa/probe'
import { renderQaMarkdown, renderQaText } from '@wms/shared/qa/render-report'
import type { QaReport } from '@wms/shared/qa/report'
import type { FixResult } from '../../qa/apply-fixes.js'
import { isInside } from '../../qa/dataset-files.js'
import { discoverPairs } from '../../qa/discover-pairs.js'
import { runQa } from '../../qa/run-qa.js'
import type { CommandContext, CommandOutcome } from '../context.js'

// Fixes, `--against`, `-w` and `qa index` load their modules (sharp, git, S3, YAML) only when asked for: a warm
// `qa` run is mostly process start, so it should not pay for what it does not use.

/** Options of `training-runner qa`. */
export interface QaCommandOptions {
  against?: string
  replace: string[]
  reportJson?: string
  markdown?: string
  fix?: string
  cacheDir?: string
  /** `--no-cache` sets this to false. */
  cache: boolean
  concurrency?: number
  workspace?: string
}

/** Options of `training-runner qa index`. */
export interface QaIndexCommandOptions {
  out: string
  cacheDir?: string
  cache: boolean
  concurrency?: number
  workspace?: string
}

/** What `--fix` did, in the command's JSON result. */
export interface FixSummary {
  outDir: string
  pairsWritten: number
  pairsSkipped: number
  results: FixResult[]
}

async function policyFrom(workspace: string | undefined, cwd: string): Promise<Partial<QaPolicy>> {
  if (workspace === undefined) return {}
  const { readWorkspaceConfig } = await import('../../workspace/workspace-config-file.js')
  const config = await readWorkspaceConfig(path.resolve(cwd, workspace))
  return config.qa
}

const cacheDirOf = (options: { cache: boolean; cacheDir?: string }, cwd: string): string | null | undefined =>
  !options.cache ? null : options.cacheDir === undefined ? undefined : path.resolve(cwd, options.cacheDir)

async function checkFixTarget(outDir: string, inputs: readonly string[]): Promise<void> {
  const target = await realpath(outDir).catch(() => path.resolve(outDir))
  for (const input of inputs) {
    const real = await realpath(input).catch(() => input)
    const isFolder = await stat(real)
      .then((info) => info.isDirectory())
      .catch(() => false)
    const folder = isFolder ? real : path.dirname(real)
    const protectedDirs = [folder, path.join(folder, 'images'), path.join(folder, 'masks')]
    if (target === folder || protectedDirs.slice(1).some((dir) => isInside(dir, target))) {
      throw new WmsError('usage/invalid-arguments', `--fix ${outDir} would write over the originals in ${folder}.`, {
        hint: 'Give --fix a separate folder; the originals are never modified.',
      })
    }
  }
}

/** `training-runner qa <inputs...>`: check pairs, write reports, optionally write fixed copies. */
export async function qaCommand(
  inputs: string[],
  options: QaCommandOptions,
  context: CommandContext,
): Promise<CommandOutcome> {
  const cwd = context.io.cwd
  const resolve = (file: string): string => path.resolve(cwd, file)
  if (options.fix !== undefined) await checkFixTarget(resolve(options.fix), inputs.map(resolve))
  const policy = await policyFrom(options.workspace, cwd)
  const against =
    options.against === undefined ? undefined : await readAgainst(resolve(options.against), options, cwd, context)
  const discovered = await discoverPairs(inputs, cwd)

  const samples = new Map<string, ProbedSample>()
  const report = await runQa({
    pairs: discovered.pairs,
    pairingProblems: discovered.problems,
    unpairedFiles: discovered.unpairedFiles,
    inputs: discovered.inputs,
    policy,
    replacements: options.replace,
    cacheDir: cacheDirOf(options, cwd),
    events: context.events,
    onPairResult: ({ sample }) => samples.set(sample.sampleId, sample),
    ...(against === undefined ? {} : { against }),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
  })

  const written: string[] = []
  if (options.reportJson !== undefined) {
    await writeOutput(resolve(options.reportJson), `${JSON.stringify(report, null, 2)}\n`)
    written.push(`JSON report   ${options.reportJson}`)
  }
  if (options.markdown !== undefined) {
    await writeOutput(resolve(options.markdown), renderQaMarkdown(report))
    written.push(`Markdown      ${options.markdown}`)
  }
  let fixes: FixSummary | undefined
  if (options.fix !== undefined) {
    fixes = await fixAll(report, discovered.pairs, samples, resolve(options.fix), policy, context)
    written.push(
      `fixed copies  ${options.fix}: ${String(fixes.pairsWritten)} pairs written, ${String(fixes.pairsSkipped)} skipped`,
    )
    for (const skipped of fixes.results.filter((result) => result.skipped !== undefined).slice(0, 20)) {
      written.push(`  skipped ${skipped.sampleId}: ${skipped.skipped ?? ''}`)
    }
  }

  const columns = context.io.stdout.columns
  const human = [renderQaText(report, columns === undefined ? {} : { columns }), ...written].join('\n')
  return {
    exitCode: report.passed ? 0 : 1,
    result: fixes === undefined ? report : { ...report, fixes },
    human,
  }
}

async function fixAll(
  report: QaReport,
  pairs: Awaited<ReturnType<typeof discoverPairs>>['pairs'],
  samples: ReadonlyMap<string, ProbedSample>,
  outDir: string,
  policy: Partial<QaPolicy>,
  context: CommandContext,
): Promise<FixSummary> {
  const issuesBySample = new Map<string, QaReport['issues']>()
  for (const issue of report.issues)
    issuesBySample.set(issue.sampleId, [...(issuesBySample.get(issue.sampleId) ?? []), issue])
  const { applyFixes } = await import('../../qa/apply-fixes.js')
  const results: FixResult[] = []
  let done = 0
  for (const pair of pairs) {
    const sample = samples.get(pair.sampleId)
    results.push(
      await applyFixes(pair, outDir, {
        policy,
        issues: issuesBySample.get(pair.sampleId) ?? [],
        ...(sample === undefined ? {} : { sample }),
      }),
    )
    done += 1
    if (done % 50 === 0 || done === pairs.length) {
      context.events.emit({ type: 'progress', step: 'qa', done, total: pairs.length, unit: 'pairs', message: 'fixing' })
    }
  }
  const pairsWritten = results.filter((result) => result.skipped === undefined).length
  return { outDir, pairsWritten, pairsSkipped: results.length - pairsWritten, results }
}

/**
 * What `--against` names: a workspace (its current dataset version, through its `.dvc` files — local files when
 * present, else the remote's manifests), a `.dvc` file of a workspace's dataset, or a dataset index file.
 */
async function readAgainst(
  target: string,
  options: QaCommandOptions,
  cwd: string,
  context: CommandContext,
): Promise<DatasetIndexEntry[]> {
  const { existingDatasetIndex, isWorkspaceRoot } = await import('../../qa/existing-dataset.js')
  const { readDatasetIndex } = await import('../../qa/dataset-index-file.js')
  let workspace: string | undefined
  if (await isWorkspaceRoot(target)) workspace = target
  else if (target.endsWith('.dvc')) {
    for (let dir = path.dirname(target); dir !== path.dirname(dir); dir = path.dirname(dir)) {
      if (await isWorkspaceRoot(dir)) {
        workspace = dir
        break
      }
    }
    if (workspace === undefined) {
      throw new WmsError('usage/invalid-arguments', `${target} is not inside a WMS Studio workspace.`, {
        hint: 'Point --against at the workspace folder, its .dvc file, or a dataset index from `qa index`.',
      })
    }
  }
  if (workspace === undefined) return (await readDatasetIndex(target)).entries
  const existing = await existingDatasetIndex(workspace, {
    policy: await policyFrom(options.workspace ?? workspace, cwd),
    cacheDir: cacheDirOf(options, cwd),
    events: context.events,
  })
  return existing.entries
}

async function writeOutput(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true })
  await writeFile(file, text)
}

/** `training-runner qa index <dataset-dir> --out <file>`: the dataset index that `--against` reads. */
export async function qaIndexCommand(
  dir: string,
  options: QaIndexCommandOptions,
  context: CommandContext,
): Promise<CommandOutcome> {
  const cwd = context.io.cwd
  const folder = path.resolve(cwd, dir)
  const { indexDatasetFolder } = await import('../../qa/existing-dataset.js')
  const { writeDatasetIndex } = await import('../../qa/dataset-index-file.js')
  const { makeDatasetIndex } = await import('@wms/shared/qa/dataset-index')
  const entries = await indexDatasetFolder(folder, {
    policy: await policyFrom(options.workspace, cwd),
    cacheDir: cacheDirOf(options, cwd),
    events: context.events,
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
  })
  const index = makeDatasetIndex(entries, folder)
  const out = path.resolve(cwd, options.out)
  await writeDatasetIndex(out, index)
  const unpairedFiles = (await discoverPairs([folder])).unpairedFiles
  const result = {
    out,
    pairs: entries.filter((entry) => entry.relpath.startsWith('images/')).length,
    entries: index.entries.length,
    unpairedFiles,
  }
  return {
    exitCode: 0,
    result,
    human: `Dataset index of ${String(result.pairs)} pairs (${String(result.entries)} files) written to ${out}${
      result.unpairedFiles > 0 ? `\n  ${String(result.unpairedFiles)} unpaired files left out` : ''
    }`,
  }
}
