import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'

/**
 * MD5 of a file's bytes, streamed (hex). MD5 is what DVC 3 uses for content addresses, so the same hash names a
 * file in the remote, keys the QA cache and decides the train/val/test split — computable from a manifest alone.
 */
export async function md5File(file: string): Promise<string> {
  const hash = createHash('md5')
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) hash.update(chunk)
  return hash.digest('hex')
}

/** MD5 of bytes in memory (hex). */
export function md5Bytes(bytes: Uint8Array | string): string {
  return createHash('md5').update(bytes).digest('hex')
}
