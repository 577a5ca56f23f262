import type { UploadedFile } from '@wms/shared/ipc/contract'

/** What adding a group of files answers: the files taken and the files refused. */
export interface AddedAndRejected<A, R> {
  added: A[]
  rejected: R[]
}

/** How many bytes of received files are read into memory at once while staging them. */
export const INGEST_GROUP_BYTES = 16 * 1024 * 1024

/**
 * Reads received files in groups of about `groupBytes` (at least one file each) and hands each group to `add`, so a
 * large upload is never held in memory at once: at most one group, or one file when a file is larger than that.
 */
export async function addInGroups<A, R>(
  entries: readonly { path: string; size: number }[],
  files: readonly UploadedFile[],
  add: (group: { path: string; bytes: Uint8Array }[]) => Promise<AddedAndRejected<A, R>>,
  groupBytes = INGEST_GROUP_BYTES,
): Promise<AddedAndRejected<A, R>> {
  const answer: AddedAndRejected<A, R> = { added: [], rejected: [] }
  let group: { path: string; bytes: Uint8Array }[] = []
  let bytes = 0
  const flush = async (): Promise<void> => {
    if (group.length === 0) return
    const result = await add(group)
    answer.added.push(...result.added)
    answer.rejected.push(...result.rejected)
    group = []
    bytes = 0
  }
  for (const [index, entry] of entries.entries()) {
    const file = files[index]
    if (file === undefined) break
    if (group.length > 0 && bytes + file.size > groupBytes) await flush()
    group.push({ path: entry.path, bytes: await file.bytes() })
    bytes += file.size
  }
  await flush()
  return answer
}
