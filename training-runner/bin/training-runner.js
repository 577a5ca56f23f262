#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript in ../dist (built by `npm install` / `npm run build:runner`).
import { existsSync } from 'node:fs'

const entry = new URL('../dist/cli/main.js', import.meta.url)
if (!existsSync(entry)) {
  process.stderr.write(
    'training-runner is not built yet. Run `npm run build:runner` in the WMS Studio checkout, then try again.\n',
  )
  process.exit(2)
}
const { runCli } = await import(entry.href)
process.exitCode = await runCli(process.argv.slice(2))
