import react from '@vitejs/plugin-react'
import { defineConfig } from 'vitest/config'

// Workspace packages resolve to their TypeScript sources (the `source` export condition), so tests never
// need a build first.
// No `module` condition for Node tests: packages such as the AWS SDK list `module` (an extension-less ESM build
// meant for bundlers) before `node` in their exports, and Node cannot load that build.
const conditions = ['source', 'node', 'import', 'default']

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: conditions } },
  test: {
    reporters: process.env.CI === undefined ? ['default'] : ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        // Tests of the tool configs themselves (the lint rules that enforce the layers).
        extends: true,
        test: { name: 'tools', include: ['*.config.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: { name: 'shared', include: ['src-shared/**/*.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: { name: 'runner', include: ['training-runner/src/**/*.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        test: { name: 'main', include: ['src-main/**/*.test.ts'], environment: 'node' },
      },
      {
        extends: true,
        plugins: [react()],
        resolve: { conditions: ['source', 'browser', 'import', 'module', 'default'] },
        test: {
          name: 'renderer',
          include: ['src-renderer/**/*.test.{ts,tsx}'],
          environment: 'jsdom',
          setupFiles: ['src-renderer/test-support/setup.ts'],
        },
      },
    ],
  },
})
