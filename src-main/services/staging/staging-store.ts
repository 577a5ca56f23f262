import { chmod, lstat, mkdir, readdir, readFile, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { pairDatasetFiles, type PairingResult } from '@wms/shared/dataset/pairing'
import type { StagingSettings, SubmissionState } from '@wms/shared/staging/staging-types'
import { WmsError } from '@wms/shared/errors'
import pLimit from 'p-limit'
import { closeToOthers, DIR_MODE, md5Of, writePrivate } from './private-files.js'

/**
 * The staging area on disk (`<workspace>/.wms/staging/`): content-addressed copies of every added file plus a
 * manifest. Writes are atomic (temp file + rename) and serialised, so a crash at any moment leaves either the old
 * or the new manifest — never a half-written one — and blobs no manifest names are swept on the next open.
 * Everything is created for the user only (0700 folders, 0600 files, whatever the umask): the photos carry GPS.
 *
 *   staging.json           the manifest (which files, their hashes, fixes applied, the submission)
 *   blobs/<md5><ext>       file contents, deduplicated by hash
 */
import {
  emptyManifest,
  ManifestSchema,
  UNDO_DEPTH,
  type AddFileResult,
  type FrozenPair,
  type Manifest,
  type PairMeta,
  type StoredFile,
} from './staging-manifest.js'
import { placeFile, stemOf, without } from './staging-paths.js'

export type { AddFileResult, FrozenFile, FrozenPair, PairMeta, RejectKind, StoredFile } from './staging-manifest.js'
export { stemOf } from './staging-paths.js'

export class StagingStore {
  private manifest: Manifest
  private queue: Promise<unknown> = Promise.resolve()
  private tempCounter = 0
  private version = 0
  private pairingCache: { version: number; result: PairingResult } | undefined

  private constructor(
    readonly dir: string,
    manifest: Manifest,
  ) {
    this.manifest = manifest
  }

  /** Opens (or creates) the staging area in `dir`, sweeping blobs and temp files a crash left behind. */
  static async open(dir: string): Promise<StagingStore> {
    await mkdir(path.join(dir, 'blobs'), { recursive: true, mode: DIR_MODE })
    // A store made by an older version (or under another umask) may be readable by others: close it.
    await chmod(dir, DIR_MODE)
    await chmod(path.join(dir, 'blobs'), DIR_MODE)
    let manifest = emptyManifest()
    try {
      const parsed = ManifestSchema.safeParse(JSON.parse(await readFile(path.join(dir, 'staging.json'), 'utf8')))
      if (!parsed.success) throw new WmsError('fs/io', `The staging manifest in ${dir} is damaged.`)
      manifest = parsed.data
    } catch (thrown) {
      if ((thrown as NodeJS.ErrnoException).code !== 'ENOENT') throw thrown
    }
    const store = new StagingStore(dir, manifest)
    await store.sweep({ fixModes: true })
    return store
  }

  /** Every staged file by dataset relpath. */
  get files(): Readonly<Record<string, StoredFile>> {
    return this.manifest.files
  }

  /** The last submission, if any. */
  get submission(): SubmissionState | null {
    return this.manifest.submission
  }

  /** The pairs the current submission froze (empty when there is none). */
  get submitted(): readonly FrozenPair[] {
    return this.manifest.submitted
  }

  /** Per-pair metadata (fixes, replacement flag, revision). */
  meta(stem: string): PairMeta {
    return (
      this.manifest.pairs[stem] ?? { fixes: [], replacement: false, revision: 0, autoFixTried: false, autoFixed: false }
    )
  }

  /** The staging area's workspace settings. */
  get settings(): StagingSettings {
    return this.manifest.settings
  }

  /** What the last undoable edit did, or null. */
  get undoLabel(): string | null {
    return this.manifest.undo.at(-1)?.label ?? null
  }

  /** Changes the settings. */
  setSettings(change: Partial<StagingSettings>): Promise<StagingSettings> {
    return this.serial(async () => {
      this.manifest.settings = { ...this.manifest.settings, ...change }
      await this.save()
      return this.manifest.settings
    })
  }

  /**
   * Remembers the pairs' files and metadata as they are now, so the edit that follows can be undone (`label` says
   * what it did). Their blobs stay until the entry falls off the stack or the pairs are submitted.
   */
  rememberForUndo(label: string, stems: readonly string[]): Promise<void> {
    return this.serial(() => {
      this.pushUndo(label, stems)
      return Promise.resolve()
    })
  }

  /**
   * Puts back the pairs of the last undoable edit as they were before it (as a new revision, so QA checks them
   * again; the fixes on add are not tried on them again). Returns what was undone, or null.
   */
  undo(): Promise<{ label: string; stems: string[] } | null> {
    return this.serial(async () => {
      const entry = this.manifest.undo.pop()
      if (entry === undefined) return null
      const stems = new Set(entry.stems)
      const current = Object.keys(this.manifest.files).filter((relpath) => stems.has(stemOf(relpath)))
      this.manifest.files = { ...without(this.manifest.files, current), ...entry.files }
      for (const stem of entry.stems) {
        const before = entry.pairs[stem]
        const revision = Math.max(this.meta(stem).revision, before?.revision ?? 0) + 1
        if (before === undefined) this.manifest.pairs = without(this.manifest.pairs, [stem])
        else this.manifest.pairs[stem] = { ...before, revision, autoFixTried: true }
      }
      await this.save()
      await this.sweep()
      return { label: entry.label, stems: entry.stems }
    })
  }

  /** The staged files paired by name, plus the files that do not pair. */
  pairing(): PairingResult {
    // Pairing thousands of names is not free; it only changes when the manifest does.
    if (this.pairingCache?.version !== this.version) {
      this.pairingCache = { version: this.version, result: pairDatasetFiles(Object.keys(this.manifest.files)) }
    }
    return this.pairingCache.result
  }

  /** Absolute path of a staged file's bytes. */
  blobPath(relpath: string): string {
    const file = this.manifest.files[relpath]
    if (file === undefined) throw new WmsError('fs/not-found', `${relpath} is not staged.`)
    return path.join(this.dir, 'blobs', file.blob)
  }

  /**
   * A staged file's blob path, once checked to be a regular file: a blob that became a link (to a private file
   * elsewhere) is never followed by the thumbnails either.
   */
  async regularBlobPath(relpath: string): Promise<string> {
    const blob = this.blobPath(relpath)
    if (!(await lstat(blob)).isFile()) {
      throw new WmsError('storage/integrity', `The staged copy of ${relpath} is not a regular file; it is not read.`, {
        hint: 'Remove the pair and add its files again.',
      })
    }
    return blob
  }

  /** Stages a dropped file's bytes at its place in the dataset layout. */
  async addFile(droppedPath: string, bytes: Uint8Array): Promise<AddFileResult> {
    const [result] = await this.addFiles([{ path: droppedPath, bytes }])
    if (result === undefined) throw new Error('addFiles returned nothing')
    return result
  }

  /** Stages many files with one manifest write (a drop of a thousand files is one save, not a thousand). */
  addFiles(files: readonly { path: string; bytes: Uint8Array }[]): Promise<AddFileResult[]> {
    return this.serial(async () => {
      const placed = files.map((file) => {
        const name = file.path.split(/[\\/]/).at(-1) ?? file.path
        return { file, name, placement: placeFile(file.path, name) }
      })
      // Blobs are written side by side (the disk, not the CPU, is the limit); the manifest once, at the end.
      const limit = pLimit(8)
      const stored = await Promise.all(
        placed.map(({ file, name, placement }) =>
          placement.ok ? limit(() => this.writeBlob(name, file.bytes)) : Promise.resolve(undefined),
        ),
      )
      const results: AddFileResult[] = []
      for (const [index, { name, placement }] of placed.entries()) {
        const blob = stored[index]
        if (!placement.ok || blob === undefined) {
          results.push(
            placement.ok
              ? { ok: false, name, reason: `${name} could not be stored.`, kind: 'store' }
              : { ok: false, name, reason: placement.reason, kind: placement.kind },
          )
          continue
        }
        const relpath = placement.relpath
        const replaced = relpath in this.manifest.files
        this.manifest.files[relpath] = { ...blob, fixed: false }
        const stem = stemOf(relpath)
        const addedAt = this.meta(stem).addedAt ?? Date.now()
        this.bump(stem, { fixes: [], addedAt, autoFixTried: false, autoFixed: false })
        results.push({ ok: true, relpath, stem, replaced })
      }
      await this.save()
      return results
    })
  }

  /**
   * Replaces the mask (or image) of a pair with new bytes. The dataset name stays; only the extension follows the
   * new file (a PNG replacing a JPEG mask). Returns the file's dataset path afterwards.
   */
  replaceFile(relpath: string, originalName: string, bytes: Uint8Array): Promise<string> {
    return this.serial(async () => {
      if (!(relpath in this.manifest.files)) throw new WmsError('fs/not-found', `${relpath} is not staged.`)
      const ext = path.extname(originalName)
      const newRelpath = `${relpath.slice(0, relpath.length - path.extname(relpath).length)}${ext}`
      // The blob first: while it is written (a large file takes a while), readers still see a whole manifest.
      const stored = await this.writeBlob(originalName, bytes)
      this.pushUndo(`Replaced the ${relpath.startsWith('masks/') ? 'mask' : 'photo'} of ${stemOf(relpath)}`, [
        stemOf(relpath),
      ])
      this.manifest.files = without(this.manifest.files, [relpath])
      this.manifest.files[newRelpath] = { ...stored, fixed: false }
      this.bump(stemOf(newRelpath), { fixes: [], autoFixTried: false, autoFixed: false })
      await this.save()
      await this.sweep()
      return newRelpath
    })
  }

  /**
   * Stores a fixed copy of a staged file (the original bytes stay referenced, so nothing is lost) and records
   * which fixes produced it. `newRelpath` renames it (a JPEG mask becomes a PNG).
   */
  recordFix(
    relpath: string,
    bytes: Uint8Array,
    fixes: string[],
    newRelpath = relpath,
    options: { auto?: boolean } = {},
  ): Promise<void> {
    return this.serial(async () => {
      const current = this.manifest.files[relpath]
      if (current === undefined) throw new WmsError('fs/not-found', `${relpath} is not staged.`)
      const original = current.original ?? {
        originalName: current.originalName,
        md5: current.md5,
        bytes: current.bytes,
        blob: current.blob,
      }
      const stored = await this.writeBlob(current.originalName, bytes, path.extname(newRelpath))
      if (newRelpath !== relpath) this.manifest.files = without(this.manifest.files, [relpath])
      this.manifest.files[newRelpath] = { ...stored, originalName: current.originalName, fixed: true, original }
      const stem = stemOf(newRelpath)
      const before = this.meta(stem).fixes
      const auto = options.auto === true || this.meta(stem).autoFixed
      this.bump(stem, { fixes: [...before, ...fixes.filter((fix) => !before.includes(fix))], autoFixed: auto })
      await this.save()
    })
  }

  /** Records that the fixes on add were tried on the pair's current files (whatever they did). */
  markAutoFixTried(stem: string): Promise<void> {
    return this.serial(async () => {
      const meta = this.manifest.pairs[stem]
      if (meta === undefined) return
      this.manifest.pairs[stem] = { ...meta, autoFixTried: true }
      await this.save()
    })
  }

  /**
   * Removes every file of the given pair ids — pairs, and files that do not pair (orphans, duplicate names,
   * unsupported files), whose id is the stem their problem names. Returns the ids that had files.
   */
  removePairs(ids: readonly string[], options: { undoLabel?: string } = {}): Promise<string[]> {
    return this.serial(async () => {
      if (options.undoLabel !== undefined) this.pushUndo(options.undoLabel, [...this.filesOfStems(new Set(ids)).keys()])
      const removed = this.removeStems(new Set(ids))
      await this.save()
      await this.sweep()
      return removed
    })
  }

  /**
   * After a push: removes the pushed pairs that are still at the revision the submission froze. A pair changed
   * since (a mask dropped again during the push) stays staged with its new content. Returns the ids removed.
   */
  removeSubmitted(pairs: readonly Pick<FrozenPair, 'id' | 'revision'>[]): Promise<string[]> {
    return this.serial(async () => {
      const unchanged = pairs.filter((pair) => this.meta(pair.id).revision === pair.revision).map((pair) => pair.id)
      const removed = this.removeStems(new Set(unchanged))
      // Submitted pairs are gone for good: their originals are not kept for an undo.
      const gone = new Set(removed)
      this.manifest.undo = this.manifest.undo.filter((entry) => !entry.stems.some((stem) => gone.has(stem)))
      await this.save()
      await this.sweep()
      return removed
    })
  }

  /** Marks a pair as an intended replacement of the dataset's pair of the same name. */
  setReplacement(stem: string, replacement: boolean): Promise<void> {
    return this.serial(async () => {
      this.bump(stem, { replacement })
      await this.save()
    })
  }

  /**
   * Records the submission's state (survives restarts: a queued push resumes). `submitted` freezes what it pushes;
   * left out, the frozen set stays as it is; a `null` submission forgets it.
   */
  setSubmission(submission: SubmissionState | null, submitted?: readonly FrozenPair[]): Promise<void> {
    return this.serial(async () => {
      const before = this.manifest.submitted.length
      this.manifest.submission = submission
      if (submitted !== undefined) this.manifest.submitted = [...submitted]
      if (submission === null) this.manifest.submitted = []
      await this.save()
      // Blobs only a submission kept (a mask replaced during its push) go once it lets them go.
      if (this.manifest.submitted.length < before) await this.sweep()
    })
  }

  /** Empties the staging area; the submission record (and what it froze) stays. Returns the ids that had files. */
  clearFiles(): Promise<string[]> {
    return this.serial(async () => {
      const ids = [...new Set(Object.keys(this.manifest.files).map(stemOf))]
      this.manifest.files = {}
      this.manifest.pairs = {}
      this.manifest.undo = []
      await this.save()
      await this.sweep()
      return ids
    })
  }

  private removeStems(ids: ReadonlySet<string>): string[] {
    const filesOf = this.filesOfStems(ids)
    const drop = [...filesOf.values()].flatMap((files) => [...files])
    this.manifest.files = without(this.manifest.files, drop)
    this.manifest.pairs = without(this.manifest.pairs, [...ids, ...drop.map(stemOf)])
    return [...filesOf.keys()]
  }

  // The files of each id, for ids that have any.
  private filesOfStems(ids: ReadonlySet<string>): Map<string, Set<string>> {
    // Pairing compares normalised stems (NFC, role suffixes): a pair's or problem's id names all its files.
    const filesOf = new Map<string, Set<string>>()
    const add = (id: string, relpath: string): void => {
      if (!ids.has(id)) return
      const files = filesOf.get(id) ?? new Set<string>()
      filesOf.set(id, files.add(relpath))
    }
    const pairing = this.pairing()
    for (const pair of pairing.pairs) for (const relpath of [pair.image, pair.mask]) add(pair.stem, relpath)
    for (const problem of pairing.problems) for (const relpath of problem.files) add(problem.stem, relpath)
    for (const relpath of Object.keys(this.manifest.files)) add(stemOf(relpath), relpath)
    return filesOf
  }

  private pushUndo(label: string, ids: readonly string[]): void {
    const stems = new Set(
      ids.flatMap((id) => [id, ...[...(this.filesOfStems(new Set([id])).get(id) ?? [])].map(stemOf)]),
    )
    const files = Object.fromEntries(
      Object.entries(this.manifest.files).filter(([relpath]) => stems.has(stemOf(relpath))),
    )
    const pairs = Object.fromEntries(
      [...stems].flatMap((stem) => {
        const meta = this.manifest.pairs[stem]
        return meta === undefined ? [] : [[stem, meta] as const]
      }),
    )
    this.manifest.undo = [...this.manifest.undo, { label, stems: [...stems], files, pairs }].slice(-UNDO_DEPTH)
  }

  private bump(stem: string, change: Partial<PairMeta>): void {
    const meta = this.meta(stem)
    this.manifest.pairs[stem] = { ...meta, ...change, revision: meta.revision + 1 }
  }

  private async writeBlob(
    originalName: string,
    bytes: Uint8Array,
    ext = path.extname(originalName),
  ): Promise<Omit<StoredFile, 'fixed'>> {
    const md5 = md5Of(bytes)
    const blob = `${md5}${ext.toLowerCase()}`
    const target = path.join(this.dir, 'blobs', blob)
    const temp = `${target}.${String(process.pid)}.${String((this.tempCounter += 1))}.tmp`
    await writePrivate(temp, bytes)
    await rename(temp, target)
    return { originalName, md5, bytes: bytes.byteLength, blob }
  }

  private async save(): Promise<void> {
    this.version += 1
    const target = path.join(this.dir, 'staging.json')
    const temp = `${target}.${String(process.pid)}.${String((this.tempCounter += 1))}.tmp`
    await writePrivate(temp, `${JSON.stringify(this.manifest, null, 1)}\n`)
    await rename(temp, target)
  }

  // Removes blobs no manifest entry (current, original or submitted) names, and temp files of interrupted writes.
  private async sweep(options: { fixModes?: boolean } = {}): Promise<void> {
    const keep = new Set<string>()
    for (const file of Object.values(this.manifest.files)) {
      keep.add(file.blob)
      if (file.original !== undefined) keep.add(file.original.blob)
    }
    for (const pair of this.manifest.submitted) for (const file of pair.files) keep.add(file.blob)
    for (const entry of this.manifest.undo) {
      for (const file of Object.values(entry.files)) {
        keep.add(file.blob)
        if (file.original !== undefined) keep.add(file.original.blob)
      }
    }
    const blobs = path.join(this.dir, 'blobs')
    for (const name of await readdir(blobs)) {
      if (!keep.has(name)) await rm(path.join(blobs, name), { force: true })
      else if (options.fixModes === true) await closeToOthers(path.join(blobs, name))
    }
    for (const name of await readdir(this.dir)) {
      if (name.endsWith('.tmp')) await rm(path.join(this.dir, name), { force: true })
      else if (options.fixModes === true && name === 'staging.json') await closeToOthers(path.join(this.dir, name))
    }
  }

  // One change at a time: the manifest is read-modify-written.
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task)
    this.queue = run.catch(() => undefined)
    return run
  }
}
