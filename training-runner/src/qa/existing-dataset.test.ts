import { cp, rm } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { useTempDirs } from '../../test/helpers/temp-dir.js'
import { createDemoWorkspace } from '../workspace/demo-workspace.js'
import { existingDatasetIndex } from './existing-dataset.js'
import { discoverPairs } from './discover-pairs.js'
import { runQa } from './run-qa.js'

describe('QA against the existing dataset', () => {
  const tempDir = useTempDirs()

  it('uses the local files when they match the .dvc files, and only the manifests when they are not here', async () => {
    const base = await tempDir()
    const layout = await createDemoWorkspace(path.join(base, 'demo'), { pairs: 3, incoming: 0, minTestPairs: 0 })
    const local = await existingDatasetIndex(layout.workspace, { cacheDir: null })
    expect(local.source).toBe('local')
    expect(local.entries).toHaveLength(6)
    expect(local.entries.find((entry) => entry.relpath.startsWith('images/'))?.phash).toMatch(/^[0-9a-f]{16}$/)

    // An annotator's clone without the raw files: manifests only, from the DVC remote.
    await rm(path.join(layout.workspace, 'data/training/images'), { recursive: true })
    await rm(path.join(layout.workspace, '.wms'), { recursive: true, force: true })
    const remote = await existingDatasetIndex(layout.workspace, { cacheDir: null })
    expect(remote.source).toBe('manifests')
    expect(remote.version).toBe(local.version)
    const pairs = (entries: typeof local.entries) => entries.map((entry) => `${entry.relpath} ${entry.md5}`).sort()
    expect(pairs(remote.entries)).toEqual(pairs(local.entries))
  })

  it('finds an upload that repeats a dataset photo, or reuses a dataset name, without the dataset being here', async () => {
    const base = await tempDir()
    const layout = await createDemoWorkspace(path.join(base, 'demo'), { pairs: 2, incoming: 0 })
    const upload = path.join(base, 'upload')
    await cp(path.join(layout.workspace, 'data/training'), upload, {
      recursive: true,
      filter: (src) => !src.endsWith('.dvc'),
    })
    await rm(path.join(layout.workspace, 'data/training/images'), { recursive: true })
    const existing = await existingDatasetIndex(layout.workspace, { cacheDir: null })
    const discovered = await discoverPairs([upload])
    const report = await runQa({ pairs: discovered.pairs, against: existing.entries, cacheDir: null })
    const rules = new Set(report.issues.map((issue) => issue.ruleId))
    expect(rules.has('duplicate/already-present') || rules.has('duplicate/exact-existing')).toBe(true)
  })
})
