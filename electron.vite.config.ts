import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'

// Our folders are not electron-vite's defaults, so every entry is explicit. The workspace packages
// (@wms/shared, training-runner) are bundled from their TypeScript sources through the `source` export condition;
// their own dependencies (sharp, simple-git, tfjs, …) stay external and load from node_modules.
const root = import.meta.dirname
const sourceFirst = { conditions: ['source', 'node', 'import', 'module', 'default'] }
const runnerManifest = JSON.parse(readFileSync(resolve(root, 'training-runner/package.json'), 'utf8')) as {
  dependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
}
const runnerDependencies = Object.keys({
  ...runnerManifest.dependencies,
  ...runnerManifest.optionalDependencies,
}).filter((name) => !name.startsWith('@wms/'))

export default defineConfig({
  main: {
    resolve: sourceFirst,
    build: {
      outDir: resolve(root, 'out/main'),
      externalizeDeps: { exclude: ['@wms/shared', 'training-runner'], include: runnerDependencies },
      rolldownOptions: {
        input: {
          'electron-main': resolve(root, 'src-main/electron/main.ts'),
          'web-host': resolve(root, 'src-main/web-host/main.ts'),
          'qa-worker': resolve(root, 'src-main/workers/qa-worker.ts'),
          'inference-worker': resolve(root, 'src-main/workers/inference-worker.ts'),
        },
      },
    },
  },
  preload: {
    resolve: sourceFirst,
    build: {
      outDir: resolve(root, 'out/preload'),
      minify: true,
      // Sandboxed preloads cannot require packages: bundle everything but electron itself.
      externalizeDeps: false,
      rolldownOptions: {
        input: { preload: resolve(root, 'src-main/electron/preload.ts') },
        // A sandboxed preload must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src-renderer'),
    resolve: { conditions: ['source', 'browser', 'import', 'module', 'default'] },
    plugins: [react()],
    build: {
      outDir: resolve(root, 'out/renderer'),
      minify: true,
      rolldownOptions: { input: resolve(root, 'src-renderer/index.html') },
    },
  },
})
