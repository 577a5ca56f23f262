import path from 'node:path'
import { toAppError } from '@wms/shared/errors'
import { installHooks, uninstallHooks } from '../../hooks/install.js'
import { failureMessage } from '../../hooks/messages.js'
import { runPrePush } from '../../hooks/pre-push.js'
import type { CommandContext, CommandOutcome } from '../context.js'

/** `training-runner hooks pre-push <remote> <url>`: the installed hook's decision (stdin: git's ref lines). */
export async function hooksPrePushCommand(
  remote: string,
  url: string,
  context: CommandContext,
): Promise<CommandOutcome> {
  const stdin = process.stdin.isTTY ? '' : await readStream(process.stdin)
  try {
    const outcome = await runPrePush({ remote, url, stdin, cwd: context.io.cwd, env: context.io.env })
    return { exitCode: outcome.exitCode, result: outcome.result, human: toStderr(outcome.message, context) }
  } catch (thrown) {
    // Any failure stops the push: a hook that cannot decide must not let data through.
    const error = toAppError(thrown)
    const human = toStderr(failureMessage(error.message, error.hint), context)
    return { exitCode: 1, result: { action: 'failed', error }, human }
  }
}

/**
 * The hook's message goes to stderr, where git writes its own "failed to push" and where GUI clients look for
 * the reason of a failed push (git passes a pre-push hook's stdout through as is); stdout stays for `--json`.
 */
function toStderr(message: string, context: CommandContext): string {
  if (context.json || context.eventsFormat === 'ndjson') return message
  if (message !== '') context.io.stderr.write(message.endsWith('\n') ? message : `${message}\n`)
  return ''
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  return Buffer.concat(chunks).toString('utf8')
}

/** `training-runner hooks install`. */
export async function hooksInstallCommand(
  options: { repo: string; node?: string; runner?: string },
  context: CommandContext,
): Promise<CommandOutcome> {
  const repo = path.resolve(context.io.cwd, options.repo)
  const result = await installHooks(repo, {
    ...(options.node === undefined ? {} : { node: options.node }),
    ...(options.runner === undefined ? {} : { runner: path.resolve(context.io.cwd, options.runner) }),
  })
  const lines = [`pre-push hook ${result.state}: ${result.hookFile}`]
  if (result.manager === 'husky') lines.push(`  husky: ${result.hookFile} calls ${result.shim}`)
  if (result.chained !== undefined) lines.push(`  your earlier hook runs first: ${result.chained}`)
  lines.push('  A push of new data to main now becomes a data/… branch. Remove with `training-runner hooks uninstall`.')
  return { exitCode: 0, result, human: lines.join('\n') }
}

/** `training-runner hooks uninstall`. */
export async function hooksUninstallCommand(
  options: { repo: string },
  context: CommandContext,
): Promise<CommandOutcome> {
  const result = await uninstallHooks(path.resolve(context.io.cwd, options.repo))
  const lines = [result.removed ? 'pre-push hook removed' : `nothing removed: ${result.note ?? ''}`]
  if (result.restored !== undefined) lines.push(`  your earlier hook is back: ${result.restored}`)
  return { exitCode: 0, result, human: lines.join('\n') }
}
