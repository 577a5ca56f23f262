import { lstat, readdir, readlink, realpath } from 'node:fs/promises'
import path from 'node:path'
import { WmsError } from '@wms/shared/errors'
import { isInside } from './dataset-files.js'

/** A symbolic link inside a dataset whose target lies outside it. */
export interface LinkLeaving {
  /** Dataset-relative path of the link, forward slashes. */
  relpath: string
  /** Where it points (resolved; for a dangling link, its target as written, resolved against its folder). */
  target: string
}

/**
 * QA's rule for every command that reads dataset files (add, push, pull, merge, train): a link may only point inside
 * the dataset. Walks `folders` of `datasetDir` (the folders themselves included) without reading any file's bytes.
 */
export async function findLinksLeaving(
  datasetDir: string,
  folders: readonly string[] = ['images', 'masks'],
): Promise<LinkLeaving[]> {
  const root = await realpath(datasetDir).catch(() => undefined)
  if (root === undefined) return []
  const found: LinkLeaving[] = []
  const visit = async (full: string, relpath: string): Promise<void> => {
    const info = await lstat(full).catch(() => undefined)
    if (info === undefined) return
    if (info.isSymbolicLink()) {
      const target = await resolveLink(full)
      if (!isInside(root, target)) found.push({ relpath, target })
      return
    }
    if (!info.isDirectory()) return
    for (const name of await readdir(full)) await visit(path.join(full, name), `${relpath}/${name}`)
  }
  for (const folder of folders) await visit(path.join(datasetDir, folder), folder)
  return found.sort((a, b) => a.relpath.localeCompare(b.relpath))
}

async function resolveLink(link: string): Promise<string> {
  try {
    return await realpath(link)
  } catch {
    // Dangling (or a loop): judge it by what it names; it must not point out either.
    return path.resolve(path.dirname(link), await readlink(link))
  }
}

/**
 * Refuses to go on when the dataset holds links leaving it: `what` names the command ("push", "merge"). Throws
 * `dataset/link-outside`, listing the links, before any dataset file is read.
 */
export async function refuseLinksLeaving(datasetDir: string, what: string): Promise<void> {
  const links = await findLinksLeaving(datasetDir)
  if (links.length === 0) return
  const shown = links.slice(0, 10).map((link) => `  ${link.relpath} → ${link.target}`)
  if (links.length > shown.length) shown.push(`  … and ${String(links.length - shown.length)} more`)
  throw new WmsError(
    'dataset/link-outside',
    `Refusing to ${what}: ${String(links.length)} link(s) in ${datasetDir} point outside the dataset; nothing was read:\n${shown.join('\n')}`,
    {
      hint: 'Replace each link with a copy of the file it names (or remove it), then run the command again.',
      details: { links },
    },
  )
}
