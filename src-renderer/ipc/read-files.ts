import { MAX_UPLOAD_FILE_BYTES } from '@wms/shared/ipc/upload-limit'

/**
 * Getting dropped or picked files into the staging area: collect them with their relative paths (folders are
 * walked), order them so an image and its mask travel together, and send them in batches with progress.
 */

/** A file the user gave us, with the path relative to what they dropped or picked. */
export interface PickedFile {
  path: string
  file: File
}

/** Files of a drop, folders walked recursively (DataTransfer items give entries, which know their paths). */
export async function filesFromDrop(transfer: DataTransfer): Promise<PickedFile[]> {
  const entries: FileSystemEntry[] = []
  for (const item of Array.from(transfer.items)) {
    const entry = item.kind === 'file' ? item.webkitGetAsEntry() : null
    if (entry !== null) entries.push(entry)
  }
  // Synthetic drops (and some platforms) have no entries: fall back to the plain files, without folders.
  if (entries.length === 0) return Array.from(transfer.files).map((file) => ({ path: file.name, file }))
  const files: PickedFile[] = []
  for (const entry of entries) await walk(entry, files)
  return files
}

const isFile = (entry: FileSystemEntry): entry is FileSystemFileEntry => entry.isFile
const isDirectory = (entry: FileSystemEntry): entry is FileSystemDirectoryEntry => entry.isDirectory

async function walk(entry: FileSystemEntry, out: PickedFile[]): Promise<void> {
  if (isFile(entry)) {
    const file = await new Promise<File>((resolve, reject) => {
      entry.file(resolve, reject)
    })
    out.push({ path: entry.fullPath.replace(/^\//, ''), file })
    return
  }
  if (isDirectory(entry)) {
    const reader = entry.createReader()
    // readEntries returns at most 100 entries per call; keep reading until it returns none.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => {
        reader.readEntries(resolve, reject)
      })
      if (batch.length === 0) break
      for (const child of batch) await walk(child, out)
    }
  }
}

/** Files from an `<input type="file">` (with `webkitdirectory`, paths include the folder). */
export function filesFromInput(list: FileList): PickedFile[] {
  return Array.from(list).map((file) => ({
    path: file.webkitRelativePath === '' ? file.name : file.webkitRelativePath,
    file,
  }))
}

const ROLE_ORDER = /(^|\/)(masks?|labels)\//i

/** Orders files so each image travels right before its mask: pairs then appear as soon as their batch lands. */
export function orderForUpload(files: readonly PickedFile[]): PickedFile[] {
  const key = (picked: PickedFile): string => {
    const name = picked.path.split('/').at(-1) ?? picked.path
    const stem = name.replace(/\.[^.]+$/, '').replace(/[_-](image|img|mask)$/i, '')
    const isMask = ROLE_ORDER.test(picked.path) || /[_-]mask\.[^.]+$/i.test(name)
    return `${stem}\u0000${isMask ? '1' : '0'}`
  }
  // Keys computed once per file, not once per comparison.
  return files
    .map((picked) => ({ picked, key: key(picked) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map(({ picked }) => picked)
}

/** A batch ready to send: the files and their bytes, in the same order. */
export interface ReadBatch {
  files: PickedFile[]
  contents: ArrayBuffer[]
  /** Files over the per-file limit, not read and not to be sent, with their sizes. */
  oversized: { path: string; size: number }[]
}

/**
 * The bytes of a file, or `undefined` when it is over `limit`: at most `limit + 1` bytes are read, so a huge file
 * is never loaded to be refused.
 */
export async function readWithin(file: Blob, limit = MAX_UPLOAD_FILE_BYTES): Promise<ArrayBuffer | undefined> {
  const content = await file.slice(0, limit + 1).arrayBuffer()
  return content.byteLength > limit ? undefined : content
}

/** How many files are read at once while filling a batch. */
const READ_AHEAD = 8

/**
 * Reads files into batches of about `maxBytes` (at most `maxFiles` files), keeping the upload order, one batch at
 * a time. Sizes come from the bytes read, never from `File.size`: for picked files Chromium answers the first
 * `size` with a synchronous stat on the main thread (0.4 ms each idle, several times that under load), which for a
 * thousand pairs would freeze the page for a second; `arrayBuffer()` reads asynchronously.
 */
export async function* readInBatches(
  files: readonly PickedFile[],
  maxBytes = 2 * 1024 * 1024,
  maxFiles = 64,
  maxFileBytes = MAX_UPLOAD_FILE_BYTES,
): AsyncGenerator<ReadBatch> {
  let batch: ReadBatch = { files: [], contents: [], oversized: [] }
  let bytes = 0
  for (let start = 0; start < files.length; start += READ_AHEAD) {
    const group = files.slice(start, start + READ_AHEAD)
    const contents = await Promise.all(group.map((picked) => readWithin(picked.file, maxFileBytes)))
    for (const [index, picked] of group.entries()) {
      const content = contents[index]
      if (content === undefined) {
        batch.oversized.push({ path: picked.path, size: picked.file.size })
        continue
      }
      batch.files.push(picked)
      batch.contents.push(content)
      bytes += content.byteLength
      if (bytes >= maxBytes || batch.files.length >= maxFiles) {
        yield batch
        batch = { files: [], contents: [], oversized: [] }
        bytes = 0
      }
    }
  }
  if (batch.files.length > 0 || batch.oversized.length > 0) yield batch
}
