import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import type { CommandContext, CommandOutcome } from '../cli/context.js'
import { parseBackend } from '../cli/commands/train-support.js'
import { selectBackend } from '../train/backend/select-backend.js'
import { folderSource, registrySource, type ModelSource } from './model-source.js'
import { startModelServer } from './server.js'

/** Options of `training-runner serve`. */
export interface ServeCommandOptions {
  workspace: string
  model?: string
  alias: string
  modelName?: string
  host: string
  port: number
  poll: number
  concurrency: number
  queue: number
  backend?: string
}

/**
 * `training-runner serve`: answers predictions over HTTP until SIGTERM or SIGINT, then shuts down gracefully
 * (in-flight requests finish, then the process exits 0). With the registry it follows production live.
 */
export async function serveCommand(options: ServeCommandOptions, context: CommandContext): Promise<CommandOutcome> {
  const { io } = context
  const stamp = () => new Date().toISOString().slice(11, 19)
  const log = {
    info: (message: string) => io.stderr.write(`${stamp()} ${message}\n`),
    warn: (message: string) => io.stderr.write(`${stamp()} warning: ${message}\n`),
  }
  // Opt in to the CLI's cooperative stop (cli/interrupt.ts): the first SIGTERM/SIGINT no longer exits the process at
  // once; a second one still does.
  context.interrupts?.signal('Stopping the server: finishing the requests in flight…')
  // Listened for from the start: a SIGTERM while the model loads still shuts down gracefully (exit 0).
  const stopSignal = new Promise<NodeJS.Signals>((resolve) => {
    const stop = (received: NodeJS.Signals) => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve(received)
    }
    process.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  const backend = await selectBackend(parseBackend(options.backend ?? 'auto'), { events: context.events })
  const source = await chooseSource(options, context)
  const server = await startModelServer({
    source,
    host: options.host,
    port: options.port,
    pollSeconds: options.model === undefined ? options.poll : 0,
    concurrency: options.concurrency,
    maxWaiting: options.queue,
    log,
  }).catch((thrown: unknown) => {
    throw listenError(thrown, options)
  })
  log.info(
    `listening on ${server.url} (backend ${backend.name}; model from ${source.display}); docs at ${server.url}/docs`,
  )
  const first = await server.firstLoad
  if (first.kind === 'kept' || first.kind === 'failed') {
    // A folder does not change: serving nothing forever helps nobody. The registry may get a model later.
    if (options.model !== undefined) {
      await server.close()
      throw new WmsError('fs/not-found', `Cannot serve ${source.display}: ${first.reason}`, {
        hint: 'Point --model at a folder written by `training-runner train` (model.json, weights.bin, metadata.json).',
      })
    }
    log.warn(`not ready yet (still looking every ${String(options.poll)} s): ${first.reason}`)
  }

  const signal = await stopSignal
  log.info(`${signal}: finishing in-flight requests, then stopping`)
  await server.close()
  const served = server.slot.model?.version ?? null
  return {
    exitCode: 0,
    result: { url: server.url, stoppedBy: signal, lastModel: served },
    human: `Stopped (${signal}); in-flight requests finished.`,
  }
}

function listenError(thrown: unknown, options: ServeCommandOptions): unknown {
  const code = (thrown as NodeJS.ErrnoException).code
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    return new WmsError(
      'usage/invalid-arguments',
      `Cannot listen on ${options.host}:${String(options.port)} (${code}).`,
      {
        hint:
          code === 'EADDRINUSE'
            ? 'Another process uses that port: stop it or pass --port <n>.'
            : 'Pick an address this machine has and a port above 1024 (--host, --port).',
        cause: thrown,
      },
    )
  }
  return thrown
}

async function chooseSource(options: ServeCommandOptions, context: CommandContext): Promise<ModelSource> {
  if (options.model !== undefined) return folderSource(path.resolve(context.io.cwd, options.model))
  if (options.alias.trim() === '') {
    throw new WmsError('usage/invalid-arguments', '--alias must name a registry alias (e.g. production).')
  }
  return registrySource({
    workspaceRoot: path.resolve(context.io.cwd, options.workspace),
    env: context.io.env,
    cwd: context.io.cwd,
    alias: options.alias,
    ...(options.modelName === undefined ? {} : { modelName: options.modelName }),
  })
}
