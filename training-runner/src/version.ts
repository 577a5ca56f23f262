import { createRequire } from 'node:module'

// Read at run time: from both src/ (tests) and dist/ (CLI) the package manifest is one level up.
const manifest = createRequire(import.meta.url)('../package.json') as { version: string }

/** The runner's version, from its package.json (logged with every run). */
export const RUNNER_VERSION: string = manifest.version
