import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { DatasetIndexSchema } from '@wms/shared/qa/dataset-index'
import { parseNdjsonLine } from '@wms/shared/pipeline/events'
import { QaReportSchema, type QaReport } from '@wms/shared/qa/report'
import { useTempDirs } from '../../../test/helpers/temp-dir.js'
import { recompressSmaller, writeFixturePair } from '../../qa/fixtures/qa-fixtures.js'
import { runCli } from '../main.js'
import { captureIo as capture } from '../../../test/helpers/cli-capture.js'

describe('training-runner qa', () => {
  const tempDir = useTempDirs()

  it('exits 0 on a clean dataset and writes the JSON and Markdown reports', async () => {
    const cwd = await tempDir()
    await writeFixturePair(path.join(cwd, 'data'), 'a')
    await writeFixturePair(path.join(cwd, 'data'), 'b')
    const run = capture(cwd)
    const code = await runCli(
      ['qa', 'data', '--no-cache', '--report-json', 'out/report.json', '--markdown', 'out/report.md'],
      run.io,
    )
    expect(code).toBe(0)
    expect(run.out()).toContain('Data QA ✔ passed: 2 pairs · 0 errors')
    const report = QaReportSchema.parse(JSON.parse(await readFile(path.join(cwd, 'out/report.json'), 'utf8')))
    expect(report).toMatchObject({ schemaVersion: 1, passed: true, summary: { pairs: 2 } })
    expect(await readFile(path.join(cwd, 'out/report.md'), 'utf8')).toContain('## ✅ Data QA passed')
  })

  it('exits 1 when there are errors, and prints the report as JSON with --json', async () => {
    const cwd = await tempDir()
    await writeFixturePair(path.join(cwd, 'data'), 'a', { mask: { draw: () => 0 } })
    await mkdir(path.join(cwd, 'data/images'), { recursive: true })
    await writeFile(path.join(cwd, 'data/images/orphan.jpg'), 'x')
    const run = capture(cwd)
    expect(await runCli(['--json', 'qa', 'data', '--no-cache'], run.io)).toBe(1)
    const report = JSON.parse(run.out()) as QaReport
    expect(report.summary.byRule).toMatchObject({ 'mask/empty': 1, 'pairing/orphan-image': 1 })
  })

  it('writes the JSON report to a file with --json out.json and still prints the table', async () => {
    const cwd = await tempDir()
    await writeFixturePair(path.join(cwd, 'data'), 'a', { mask: { draw: () => 0 } })
    const run = capture(cwd)
    expect(await runCli(['qa', 'data', '--json', 'reports/qa.json', '--no-cache'], run.io)).toBe(1)
    const report = JSON.parse(await readFile(path.join(cwd, 'reports/qa.json'), 'utf8')) as QaReport
    expect(report.schemaVersion).toBe(1)
    expect(report.summary.byRule).toMatchObject({ 'mask/empty': 1 })
    expect(run.out()).toContain('mask/empty')
    // A bare --json before the command still prints the report instead of reading the command as a file.
    const printed = capture(cwd)
    expect(await runCli(['--json', 'qa', 'data', '--no-cache'], printed.io)).toBe(1)
    expect((JSON.parse(printed.out()) as QaReport).schemaVersion).toBe(1)
  })

  it('exits 2 on usage errors, including a --fix folder that would overwrite the originals', async () => {
    const cwd = await tempDir()
    await writeFixturePair(path.join(cwd, 'data'), 'a')
    const run = capture(cwd)
    expect(await runCli(['qa', 'data', '--fix', 'data/images'], run.io)).toBe(2)
    expect(run.err()).toContain('would write over the originals')
    const missing = capture(cwd)
    expect(await runCli(['qa'], missing.io)).toBe(2)
    const bad = capture(cwd)
    expect(await runCli(['qa', 'data', '--concurrency', '0'], bad.io)).toBe(2)
  })

  it('writes fixed copies with --fix that pass QA again', async () => {
    const cwd = await tempDir()
    await writeFixturePair(path.join(cwd, 'data'), 'a', {
      photo: { orientation: 6, gps: true },
      mask: { format: 'jpeg' },
    })
    const run = capture(cwd)
    expect(await runCli(['qa', 'data', '--no-cache', '--fix', 'fixed'], run.io)).toBe(0)
    expect(run.out()).toContain('fixed copies  fixed: 1 pairs written, 0 skipped')
    const again = capture(cwd)
    expect(await runCli(['--json', 'qa', 'fixed', '--no-cache'], again.io)).toBe(0)
    expect((JSON.parse(again.out()) as QaReport).issues).toEqual([])
  })

  it('builds a dataset index and checks an upload against it: duplicates, collisions, replacements', async () => {
    const cwd = await tempDir()
    const existing = path.join(cwd, 'existing')
    await writeFixturePair(existing, 'old1', { width: 480, height: 360 })
    await writeFixturePair(existing, 'old2', { width: 480, height: 360 })
    await writeFixturePair(existing, 'same', { width: 480, height: 360 })
    const index = capture(cwd)
    expect(await runCli(['qa', 'index', 'existing', '--out', 'index.json', '--no-cache'], index.io)).toBe(0)
    const parsed = DatasetIndexSchema.parse(JSON.parse(await readFile(path.join(cwd, 'index.json'), 'utf8')))
    expect(parsed.entries.map((entry) => entry.relpath)).toEqual([
      'images/old1.jpg',
      'images/old2.jpg',
      'images/same.jpg',
      'masks/old1.png',
      'masks/old2.png',
      'masks/same.png',
    ])

    const upload = path.join(cwd, 'upload')
    await writeFixturePair(upload, 'copy', { width: 480, height: 360 })
    await copyFile(path.join(existing, 'images/old1.jpg'), path.join(upload, 'images/copy.jpg'))
    await writeFixturePair(upload, 'resized', { width: 360, height: 270 })
    const resized = await recompressSmaller(await readFile(path.join(existing, 'images/old2.jpg')), 0.75, 70)
    await writeFile(path.join(upload, 'images/resized.jpg'), resized)
    await writeFixturePair(upload, 'same', { width: 480, height: 360, seed: 77 })
    await writeFixturePair(upload, 'fresh', { width: 480, height: 360 })

    const check = capture(cwd)
    expect(await runCli(['--json', 'qa', 'upload', '--against', 'index.json', '--no-cache'], check.io)).toBe(1)
    const report = JSON.parse(check.out()) as QaReport
    const found = report.issues.map((issue) => [issue.sampleId, issue.ruleId])
    expect(found).toEqual(
      expect.arrayContaining([
        ['copy', 'duplicate/exact-existing'],
        ['resized', 'duplicate/near-existing'],
        ['same', 'duplicate/name-collision'],
      ]),
    )
    expect(found.filter(([sampleId]) => sampleId === 'fresh')).toEqual([])
    expect(report.againstEntries).toBe(6)

    const replace = capture(cwd)
    await runCli(['--json', 'qa', 'upload', '--against', 'index.json', '--replace', 'same', '--no-cache'], replace.io)
    const replaced = JSON.parse(replace.out()) as QaReport
    const sameRules = replaced.issues.filter((issue) => issue.sampleId === 'same').map((issue) => issue.ruleId)
    expect(sameRules).toEqual(['duplicate/replacement'])
  })

  it('rejects an index file that is not one', async () => {
    const cwd = await tempDir()
    await writeFixturePair(path.join(cwd, 'data'), 'a')
    await writeFile(path.join(cwd, 'index.json'), JSON.stringify({ schemaVersion: 1, entries: [{ relpath: 'x' }] }))
    const run = capture(cwd)
    expect(await runCli(['qa', 'data', '--against', 'index.json', '--no-cache'], run.io)).toBe(1)
    expect(run.err()).toContain('is not a dataset index')
  })

  it('streams qa step events as NDJSON, ending with the report in the done event', async () => {
    const cwd = await tempDir()
    await writeFixturePair(path.join(cwd, 'data'), 'a')
    const run = capture(cwd)
    expect(await runCli(['--events', 'ndjson', 'qa', 'data', '--no-cache'], run.io)).toBe(0)
    const events = run
      .out()
      .split('\n')
      .map(parseNdjsonLine)
      .filter((event) => event !== undefined)
    expect(events.map((event) => event.type)).toEqual(['step-start', 'progress', 'step-end', 'done'])
    const done = events.at(-1)
    expect(done?.type === 'done' ? QaReportSchema.parse(done.result).summary.pairs : undefined).toBe(1)
  })
})
