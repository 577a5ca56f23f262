import { readdir, rm } from 'node:fs/promises'
import { mkdtemp } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { execSync } from 'node:child_process'
import { PIPELINE_RUN_STEPS, type PipelineRunRecord } from '@wms/shared/pipeline/run-record'
import type { PipelineEvent } from '@wms/shared/pipeline/events'
import { callbackSink, commitDataBranch, createDemoWorkspace, pushDataBranch, runPipeline } from 'training-runner'

/**
 * Push → verdict in the demo workspace for 10 new pairs, with the demo's own settings (64², 10 epochs), per step
 * (merge, QA, train, gate, promote, publish). Each run pushes a data branch the way the app's Review & submit
 * does and runs the pipeline in this process, as the local runner would. Run 1 promotes the first model (no
 * production to evaluate); run 2 is the steady state (candidate and production evaluated on the same test split).
 *
 * Baseline: the old system's documented 18 minutes for 10 images (seed-system.md §11, PR #20: EC2 start, S3 pull,
 * 100 epochs at 512², PR and auto-merge); it cannot be rerun here, so the ratio is against that number.
 *
 *   flock /work/coordination/bench.lock npx tsx --conditions=source bench/pipeline.ts [--runs 2] [--pairs 10]
 */
const args = process.argv.slice(2)
const option = (name: string, fallback: number): number => {
  const index = args.indexOf(name)
  return index >= 0 ? Number(args[index + 1] ?? fallback) : fallback
}
const runs = option('--runs', 2)
const pairsPerRun = option('--pairs', 10)
const OLD_SYSTEM_SECONDS = 18 * 60

async function main(): Promise<void> {
  const base = await mkdtemp(path.join(os.tmpdir(), 'wms-bench-pipeline-'))
  try {
    console.log(`load before: ${execSync('uptime').toString().trim()}`)
    const demo = await createDemoWorkspace(path.join(base, 'demo'), { incoming: runs * pairsPerRun })
    const names = (await readdir(path.join(demo.incoming, 'images'))).sort()
    const masks = (await readdir(path.join(demo.incoming, 'masks'))).sort()
    const results: { record: PipelineRunRecord; seconds: number; firstEvent: number }[] = []
    for (let run = 0; run < runs; run += 1) {
      const slice = names.slice(run * pairsPerRun, (run + 1) * pairsPerRun)
      const stems = new Set(slice.map((name) => name.replace(/\.[^.]+$/, '')))
      const files = [
        ...slice.map((name) => ({ relpath: `images/${name}`, source: path.join(demo.incoming, 'images', name) })),
        ...masks
          .filter((name) => stems.has(name.replace(/\.[^.]+$/, '')))
          .map((name) => ({ relpath: `masks/${name}`, source: path.join(demo.incoming, 'masks', name) })),
      ]
      const pushed = Date.now()
      const { branch } = await commitDataBranch({
        workspace: demo.workspace,
        datasetRoot: 'data/training',
        files,
        message: `Add ${String(slice.length)} pairs`,
        now: new Date(Date.UTC(2026, 0, 1, 0, 0, run)),
      })
      await pushDataBranch(demo.workspace, branch)
      let firstEvent = 0
      const record = await runPipeline({
        root: demo.workspace,
        branch,
        events: callbackSink((event: PipelineEvent) => {
          if (firstEvent === 0) firstEvent = event.at - pushed
        }),
      })
      results.push({ record, seconds: (Date.now() - pushed) / 1000, firstEvent })
    }
    console.log(`load after: ${execSync('uptime').toString().trim()}`)
    console.log(`\n${String(pairsPerRun)} new pairs per push, demo settings, ${String(os.cpus().length)} cores\n`)
    console.log(`| run | verdict | ${PIPELINE_RUN_STEPS.join(' | ')} | push → verdict | vs old system (18 min) |`)
    console.log(`| --- | --- | ${PIPELINE_RUN_STEPS.map(() => '---:').join(' | ')} | ---: | ---: |`)
    for (const [index, { record, seconds }] of results.entries()) {
      const steps = PIPELINE_RUN_STEPS.map((step) => (record.steps[step].seconds ?? 0).toFixed(1))
      console.log(
        `| ${String(index + 1)} | ${record.verdict?.outcome ?? '?'} | ${steps.join(' | ')} | ${seconds.toFixed(1)} s | ${(OLD_SYSTEM_SECONDS / seconds).toFixed(1)}× faster |`,
      )
    }
    for (const { record } of results) console.log(`\n${record.branch}: ${record.verdict?.headline ?? ''}`)
  } finally {
    await rm(base, { recursive: true, force: true })
  }
}

await main()
