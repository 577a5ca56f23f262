import type { Writable } from 'node:stream'
import type { PipelineEventInput } from '@wms/shared/pipeline/events'
import { formatBytes, formatDuration } from '@wms/shared/util/format'
import { formatScore } from '@wms/shared/gate/format-numbers'
import type { EventSink } from './event-sink.js'
import { printable } from '@wms/shared/util/printable'

/**
 * Renders events for a person at a terminal: a progress line redrawn in place (TTY) or plain log lines (pipes),
 * step headers, warnings and per-epoch summaries.
 */
export function ttySink(stream: Writable & { isTTY?: boolean; columns?: number }): EventSink {
  const interactive = stream.isTTY === true
  let lastLineLength = 0
  let lastPlainProgress = 0

  const clearLine = (): void => {
    if (interactive && lastLineLength > 0) {
      stream.write(`\r${' '.repeat(lastLineLength)}\r`)
      lastLineLength = 0
    }
  }
  const line = (text: string): void => {
    clearLine()
    stream.write(`${text}\n`)
  }

  return {
    emit(event) {
      switch (event.type) {
        case 'step-start':
          line(`▶ ${event.title}`)
          return
        case 'progress': {
          const text = formatProgress(event, stream.columns ?? 80)
          if (interactive) {
            clearLine()
            stream.write(text)
            lastLineLength = text.length
          } else if (Date.now() - lastPlainProgress > 2000 || event.done === event.total) {
            // Pipes (CI logs) get an occasional line, not a redraw per item.
            lastPlainProgress = Date.now()
            line(text)
          }
          return
        }
        case 'epoch-end': {
          const metrics = Object.entries(event.metrics)
            .map(([key, value]) => `${key} ${formatScore(value)}`)
            .join('  ')
          line(
            `  epoch ${String(event.epoch)}/${String(event.epochs)}  ${metrics}  lr ${event.learningRate.toExponential(1)}  ${event.seconds.toFixed(1)} s`,
          )
          return
        }
        case 'metric':
          line(`  ${event.key} = ${String(event.value)}`)
          return
        case 'gate':
          line(`${event.pass ? '✔' : '✖'} ${event.headline}`)
          for (const reason of event.reasons) line(`    ${reason}`)
          return
        case 'step-end':
          line(
            `${event.status === 'ok' ? '✔' : event.status === 'skipped' ? '·' : '✖'} ${event.step} ${event.status} in ${event.seconds.toFixed(1)} s${event.summary === undefined ? '' : ` — ${event.summary}`}`,
          )
          return
        case 'log':
          line(event.level === 'warn' ? `⚠ ${event.message}` : `  ${event.message}`)
          return
        case 'error':
          line(`✖ ${event.error.message}${event.error.hint === undefined ? '' : `\n  → ${event.error.hint}`}`)
          return
        case 'done':
          clearLine()
          return
      }
    },
  }
}

function formatProgress(event: Extract<PipelineEventInput, { type: 'progress' }>, columns: number): string {
  // A total of 0 (or below what is done) means "not known yet": "28 KB / 0 B" would be a false statement.
  const total = event.total !== undefined && event.total > 0 && event.total >= event.done ? event.total : undefined
  const count =
    event.unit === 'bytes'
      ? `${formatBytes(event.done)}${total === undefined ? '' : ` / ${formatBytes(total)}`}`
      : `${String(event.done)}${total === undefined ? '' : `/${String(total)}`} ${event.unit}`
  const eta = event.etaSeconds === undefined ? '' : `  ETA ${formatDuration(event.etaSeconds)}`
  const message = event.message === undefined ? '' : `  ${printable(event.message)}`
  let bar = ''
  if (total !== undefined) {
    const width = Math.max(10, Math.min(30, columns - 60))
    const filled = Math.round((Math.min(event.done, total) / total) * width)
    bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] `
  }
  return `  ${bar}${count}${eta}${message}`.slice(0, Math.max(20, columns - 1))
}
