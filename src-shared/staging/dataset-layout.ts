import { splitName, stripRoleSuffix } from '../dataset/pairing.js'

/**
 * Where a dropped or picked file goes in the dataset layout, decided from its path alone (pure, so the renderer
 * can pair instantly while the bytes are still on their way).
 *
 * - A file inside a folder named `images`/`image`/`imgs` or `masks`/`mask`/`labels` keeps its name in that role.
 * - A loose file says its role by a suffix: `<stem>_image.jpg` / `<stem>_mask.png` (also `-image`, `_img`).
 * - Anything else cannot be placed: a name alone cannot tell a photo from a mask.
 */

const IMAGE_FOLDERS = new Set(['images', 'image', 'imgs', 'photos'])
const MASK_FOLDERS = new Set(['masks', 'mask', 'labels'])

/** The dataset path of a dropped file, or why it has none. */
export type DatasetPlacement = { ok: true; relpath: string } | { ok: false; reason: 'unknown-role'; name: string }

/** Places a dropped path (`incoming/images/a.jpg`, `a_mask.png`, `C:\\x\\masks\\a.png`) in the dataset layout. */
export function placeDroppedFile(droppedPath: string): DatasetPlacement {
  const segments = droppedPath
    .replace(/\\/g, '/')
    .split('/')
    .filter((segment) => segment !== '' && segment !== '.')
  const name = segments.at(-1) ?? droppedPath
  // The innermost role folder wins (`photos/masks/x.png` is a mask); the path below it is kept.
  for (let index = segments.length - 2; index >= 0; index -= 1) {
    const folder = (segments[index] ?? '').toLowerCase()
    const below = segments.slice(index + 1).join('/')
    if (IMAGE_FOLDERS.has(folder)) return { ok: true, relpath: `images/${below}` }
    if (MASK_FOLDERS.has(folder)) return { ok: true, relpath: `masks/${below}` }
  }
  const { stem } = splitName(name)
  const stripped = stripRoleSuffix(stem)
  if (stripped.role !== undefined)
    return { ok: true, relpath: `${stripped.role}/${stripped.stem}${name.slice(stem.length)}` }
  return { ok: false, reason: 'unknown-role', name }
}

/**
 * The data branch name for a submission at `date`: `data/YYYYMMDD-HHMMSS` in UTC (CI logs and branch lists sort
 * the same everywhere). `attempt` > 1 adds a suffix when two submissions share a second.
 */
export function dataBranchName(date: Date, attempt = 1): string {
  const pad = (value: number): string => String(value).padStart(2, '0')
  const stamp = `${String(date.getUTCFullYear())}${pad(date.getUTCMonth() + 1)}${pad(date.getUTCDate())}-${pad(date.getUTCHours())}${pad(date.getUTCMinutes())}${pad(date.getUTCSeconds())}`
  return attempt > 1 ? `data/${stamp}-${String(attempt)}` : `data/${stamp}`
}

/** The default commit message of a submission. */
export function submissionMessage(pairs: number, fixes: number, warnings: number): string {
  const lines = [`data: add ${String(pairs)} new training pair${pairs === 1 ? '' : 's'}`, '']
  lines.push(`Submitted from WMS Studio: ${String(pairs)} image/mask pair${pairs === 1 ? '' : 's'}.`)
  if (fixes > 0)
    lines.push(
      `${String(fixes)} pair${fixes === 1 ? '' : 's'} normalised by safe fixes (orientation, metadata, binary PNG masks).`,
    )
  if (warnings > 0)
    lines.push(
      `${String(warnings)} pair${warnings === 1 ? '' : 's'} pushed with QA warnings (see the QA report in CI).`,
    )
  return lines.join('\n')
}
