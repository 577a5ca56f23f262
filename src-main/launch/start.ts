import { spawn, spawnSync } from 'node:child_process'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { findElectronBinary } from './electron-binary.js'
import { shouldOpenBrowser } from './open-browser.js'
import { isBuildStale } from './staleness.js'

/**
 * `npm start`: build what is stale, then launch Electron; without an Electron binary, say why in one
 * paragraph and serve the same app through the web host. Signals are forwarded so Ctrl-C stops everything.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const args = process.argv.slice(2)

const sources = [
  'src-main',
  'src-renderer',
  'src-shared',
  'training-runner/src',
  'electron.vite.config.ts',
  'package.json',
].map((entry) => path.join(root, entry))
const outputs = [
  'out/main/electron-main.js',
  'out/main/web-host.js',
  'out/preload/preload.cjs',
  'out/renderer/index.html',
  'training-runner/dist/cli/main.js',
].map((entry) => path.join(root, entry))

if (isBuildStale(sources, outputs)) {
  process.stdout.write('Building WMS Studio…\n')
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' })
  if (build.status !== 0) {
    process.stderr.write('The build failed; see the errors above.\n')
    process.exit(build.status ?? 1)
  }
}

const electron = findElectronBinary(root)
let command: string
let commandArgs: string[]
if (electron.found && process.env.WMS_HOST !== 'web') {
  command = electron.path
  commandArgs = [root, ...args]
} else {
  if (!electron.found) {
    process.stdout.write(
      [
        '',
        `Electron cannot start here: ${electron.reason}. Since Electron 42 the npm package no longer downloads`,
        'its binary at install time, and this machine may not reach GitHub, where the binaries are published.',
        'To get the desktop window, run `npx install-electron` (or `npm run electron:install`) on a machine with',
        'internet access. Until then WMS Studio serves the same app to your browser through its web host.',
        '',
      ].join('\n'),
    )
  }
  command = process.execPath
  const wantsOpen = shouldOpenBrowser(args, {
    env: process.env,
    isTTY: process.stdout.isTTY,
    platform: process.platform,
  })
  commandArgs = [path.join(root, 'out/main/web-host.js'), ...args, ...(wantsOpen ? ['--open'] : [])]
}

const child = spawn(command, commandArgs, { cwd: process.cwd(), stdio: 'inherit' })
const forward = (signal: NodeJS.Signals): void => {
  if (child.exitCode === null) child.kill(signal)
}
process.on('SIGINT', () => forward('SIGINT'))
process.on('SIGTERM', () => forward('SIGTERM'))
process.on('SIGHUP', () => forward('SIGHUP'))
child.on('exit', (code, signal) => {
  process.exit(code ?? (signal === null ? 0 : 1))
})
