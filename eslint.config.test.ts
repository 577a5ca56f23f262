import { ESLint } from 'eslint'
import tseslint from 'typescript-eslint'
import { describe, expect, it } from 'vitest'

// The real eslint.config.js, with type-aware rules off: `no-restricted-imports` needs no type information, and a
// type-aware lint of a file that is not on disk would need a project for it.
const eslint = new ESLint({ cwd: import.meta.dirname, overrideConfig: [tseslint.configs.disableTypeChecked] })

async function restrictedImports(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath })
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message)
}

const DEEP_IMPORTS = [
  "import { runQa } from 'training-runner/qa/run-qa'\nexport const use = runQa\n",
  "import { writeSyntheticDataset } from '../training-runner/src/demo/synthetic-dataset.js'\nexport const use = writeSyntheticDataset\n",
]
const ENTRY_IMPORT = "import { runQa } from 'training-runner'\nexport const use = runQa\n"

describe('the runner has one front door (eslint.config.js)', () => {
  // One file per folder the rule covers, including the Electron-only corner of main and the future git hook.
  const outside = [
    'src-main/services/probe.ts',
    'src-main/electron/probe.ts',
    'bench/probe.ts',
    'e2e/probe.ts',
    'hooks/probe.ts',
    '.ci/probe.ts',
  ]

  it.each(outside)('%s: a deep import of the runner is an error that names the entry', async (file) => {
    for (const code of DEEP_IMPORTS) {
      const messages = await restrictedImports(file, code)
      expect(messages).toHaveLength(1)
      expect(messages[0]).toContain("from 'training-runner'")
    }
  })

  it.each(outside)('%s: the entry itself is allowed', async (file) => {
    expect(await restrictedImports(file, ENTRY_IMPORT)).toEqual([])
  })

  it("e2e and benches may also use the runner's test-only front door; the app and the hooks may not", async () => {
    const code =
      "import { startGitHubTestServer } from 'training-runner/test-support'\nexport const use = startGitHubTestServer\n"
    expect(await restrictedImports('e2e/probe.ts', code)).toEqual([])
    expect(await restrictedImports('bench/probe.ts', code)).toEqual([])
    for (const file of ['src-main/services/probe.ts', 'hooks/probe.ts', '.ci/probe.ts'])
      expect(await restrictedImports(file, code)).toHaveLength(1)
    const deeper =
      "import { startMlflowTestServer } from '../training-runner/test/helpers/mlflow-test-server.js'\nexport const use = startMlflowTestServer\n"
    expect(await restrictedImports('e2e/probe.ts', deeper)).toHaveLength(1)
  })

  it('the renderer may not import the runner at all, entry or not', async () => {
    expect(await restrictedImports('src-renderer/probe.ts', ENTRY_IMPORT)).toHaveLength(1)
    expect(await restrictedImports('src-renderer/probe.ts', DEEP_IMPORTS[0] ?? '')).toHaveLength(1)
  })

  it("the runner's own files and tests may go deeper", async () => {
    const code = "import { runQa } from '../qa/run-qa.js'\nexport const use = runQa\n"
    expect(await restrictedImports('training-runner/src/pipeline/probe.test.ts', code)).toEqual([])
    expect(await restrictedImports('training-runner/src/pipeline/probe.ts', code)).toEqual([])
  })

  it('main keeps its other layer rules next to this one', async () => {
    const code = "import { api } from '../../src-renderer/ipc/api.js'\nexport const use = api\n"
    const messages = await restrictedImports('src-main/services/probe.ts', code)
    expect(messages).toEqual([expect.stringContaining('never imports the renderer')])
  })
})
