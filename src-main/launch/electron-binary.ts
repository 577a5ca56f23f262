import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'

/** Where the Electron binary is, or why there is none. */
export type ElectronBinary = { found: true; path: string } | { found: false; reason: string }

/**
 * Finds the Electron binary without triggering Electron's lazy download: since Electron 42 the npm package has
 * no install script, and `require('electron')` would try to fetch the binary (and fail offline).
 */
export function findElectronBinary(projectRoot: string): ElectronBinary {
  const packageDir = path.join(projectRoot, 'node_modules', 'electron')
  if (!existsSync(path.join(packageDir, 'package.json'))) {
    return { found: false, reason: 'the electron package is not installed (run npm install)' }
  }
  const pathFile = path.join(packageDir, 'path.txt')
  if (!existsSync(pathFile)) return { found: false, reason: 'the Electron binary has not been downloaded' }
  const binary = path.join(packageDir, 'dist', readFileSync(pathFile, 'utf8').trim())
  if (!existsSync(binary)) return { found: false, reason: `the Electron binary is missing at ${binary}` }
  return { found: true, path: binary }
}
