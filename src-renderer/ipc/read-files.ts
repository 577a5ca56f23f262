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
  return [...files].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))
}

/** Base64 of a file's bytes, encoded by the browser off the main thread. */
export function readAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader()
    reader.onload = () => {
      const url = reader.result
      if (typeof url === 'string') resolve(url.slice(url.indexOf(',') + 1))
      else reject(new Error('read failed'))
    }
    reader.onerror = () => reject(reader.error ?? new Error('read failed'))
    reader.readAsDataURL(file)
  })
}

/** Splits files into batches of at most `maxBytes` (and `maxFiles`), keeping the upload order. */
export function batchFiles(files: readonly PickedFile[], maxBytes = 4 * 1024 * 1024, maxFiles = 64): PickedFile[][] {
  const batches: PickedFile[][] = []
  let current: PickedFile[] = []
  let size = 0
  for (const picked of files) {
    if (current.length > 0 && (size + picked.file.size > maxBytes || current.length >= maxFiles)) {
      batches.push(current)
      current = []
      size = 0
    }
    current.push(picked)
    size += picked.file.size
  }
  if (current.length > 0) batches.push(current)
  return batches
}
