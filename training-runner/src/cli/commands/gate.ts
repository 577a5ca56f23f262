import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { EvaluationPorts } from '../../registry/evaluation-port.js'
import { runGate } from '../../registry/gate-workflow.js'
import { openWorkspaceTracking } from '../../registry/open-workspace-tracking.js'
import type { CommandContext, CommandOutcome } from '../context.js'

/** Options of `training-runner gate`. */
export interface GateCommandOptions {
  workspace: string
  run: string
  allowBootstrap?: boolean
  /** Also write the verdict as Markdown (PR body) to this file. */
  markdown?: string
}

/**
 * `training-runner gate --run <id>`: candidate vs production on the same test split; exit 1 when it fails.
 * `ports` is the evaluation seam: the training module's by default (TensorFlow.js loads only here), fakes in tests.
 */
export async function gateCommand(
  options: GateCommandOptions,
  context: CommandContext,
  ports?: EvaluationPorts,
): Promise<CommandOutcome> {
  const workspaceRoot = path.resolve(context.io.cwd, options.workspace)
  const evaluation =
    ports ??
    (await import('../../registry/training-evaluation.js')).trainingEvaluationPorts({
      events: context.events,
      env: context.io.env,
    })
  const { config, store } = await openWorkspaceTracking(workspaceRoot, { env: context.io.env, cwd: context.io.cwd })
  const result = await runGate({
    store,
    workspaceRoot,
    config,
    candidateRunId: options.run,
    ports: evaluation,
    allowBootstrap: options.allowBootstrap === true,
    events: context.events,
  })
  let markdownFile: string | undefined
  if (options.markdown !== undefined) {
    markdownFile = path.resolve(context.io.cwd, options.markdown)
    await writeFile(markdownFile, `${result.markdown}\n`)
  }
  return {
    exitCode: result.verdict.pass ? 0 : 1,
    result: {
      verdict: result.verdict,
      production: result.production,
      testPairs: result.testPairs,
      ...(markdownFile === undefined ? {} : { markdownFile }),
    },
    human: result.text,
  }
}
