import { rmSync } from 'node:fs'
import path from 'node:path'
import { createDemoWorkspace } from '../../workspace/demo-workspace.js'
import { partialFolder } from '../../workspace/demo-target.js'
import type { CommandContext, CommandOutcome } from '../context.js'

/** `training-runner demo <dir>`: the same demo workspace the app creates on first start. */
export async function demoCommand(
  dir: string,
  options: { pairs: number; incoming: number },
  context: CommandContext,
): Promise<CommandOutcome> {
  const base = path.resolve(context.io.cwd, dir)
  const signal = context.interrupts?.signal('Stopping the demo after this step…')
  // A second Ctrl-C stops at once: the half-made folder goes with it.
  const forget = context.interrupts?.onForcedStop(() => {
    rmSync(partialFolder(base), { recursive: true, force: true })
  })
  const layout = await createDemoWorkspace(base, {
    pairs: options.pairs,
    incoming: options.incoming,
    events: context.events,
    ...(signal === undefined ? {} : { signal }),
  }).finally(forget)
  return {
    exitCode: 0,
    result: layout,
    human: [
      `Demo workspace ready in ${layout.base}`,
      `  workspace   ${layout.workspace}`,
      `  git origin  ${layout.origin}`,
      `  DVC remote  ${layout.dvcRemote}`,
      `  MLflow      ${layout.mlruns}`,
      `  new pairs   ${layout.incoming}  (add them in the app)`,
      '',
      `Open it: npm start -- --workspace ${layout.workspace}`,
    ].join('\n'),
  }
}
