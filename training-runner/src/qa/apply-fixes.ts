import { mkdir, realpath, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { QaPolicy } from '@wms/shared/config/qa-policy'
import { WmsError } from '@wms/shared/errors'
import { evaluateSample } from '@wms/shared/qa/evaluate'
import type { QaIssue } from '@wms/shared/qa/issue'
import { isLossyMask } from '@wms/shared/qa/mask-rules'
import type { ProbedFileOk, ProbedSample } from '@wms/shared/qa/probe'
import {
  encodeNormalisedMask,
  encodeNormalisedPhoto,
  ImageDecodeError,
  type DecodeLimits,
} from '../adapters/images/sharp-image.js'
import { checkDatasetFile, isInside, readDatasetFile, type DatasetFile } from './dataset-files.js'
import type { QaPairInput } from './discover-pairs.js'
import { ProbeCache } from './probe-cache.js'
import { probeFile } from './probe-file.js'
import { resolveQaPolicy } from './run-qa.js'

/**
 * Writing normalised copies of a pair — never touching the originals: the photo with its EXIF orientation baked
 * into the pixels and its metadata (GPS, serials) stripped, the mask as a lossless single-channel PNG thresholded
 * at 127. Files that need nothing are copied byte for byte, so fixing a fixed dataset changes nothing.
 * Output layout: `<outDir>/images/<name>` and `<outDir>/masks/<stem>.png`.
 */

/** One file written by a fix. */
export interface FixedFile {
  from: string
  /** Absolute path written. */
  to: string
  /** What was done (`baked EXIF orientation 6`, `stripped metadata`, `copied unchanged`, …). */
  actions: string[]
}

/** What {@link applyFixes} did for one pair. */
export interface FixResult {
  sampleId: string
  written: FixedFile[]
  /** Set when nothing was written, with the reason (unfixable errors). */
  skipped?: string
}

/** Options of {@link applyFixes}. */
export interface ApplyFixesOptions {
  policy?: Partial<QaPolicy>
  /** The pair as already probed (saves probing it again). */
  sample?: ProbedSample
  /** Every issue of the pair, dataset-level ones included; default: the per-pair rules. */
  issues?: readonly QaIssue[]
  cacheDir?: string | null
}

function needsPhotoRewrite(image: ProbedFileOk, extensionFormat: 'jpeg' | 'png'): string[] {
  const actions: string[] = []
  if (image.header.orientation !== 1) actions.push(`baked EXIF orientation ${String(image.header.orientation)}`)
  if (image.metadata.hasMetadata) actions.push('stripped metadata')
  if (image.header.hasProfile) actions.push('converted to sRGB')
  if (image.header.space === 'cmyk') actions.push('converted CMYK to sRGB')
  if (image.header.depth !== 'uchar') actions.push('converted to 8 bits')
  if (image.header.hasAlpha) actions.push('removed alpha')
  if (image.format !== extensionFormat) actions.push(`re-encoded as ${extensionFormat.toUpperCase()} to match its name`)
  return actions
}

function needsMaskRewrite(mask: ProbedFileOk, policy: QaPolicy): string[] {
  const actions: string[] = []
  if (mask.format !== 'png') actions.push(`re-encoded ${mask.format.toUpperCase()} as PNG`)
  if (mask.mask !== undefined && isLossyMask(mask, policy)) actions.push('thresholded at 127')
  if (mask.header.channels > 1) actions.push('reduced to one channel')
  if (mask.header.depth !== 'uchar') actions.push('converted to 8 bits')
  if (mask.header.orientation !== 1) actions.push(`baked EXIF orientation ${String(mask.header.orientation)}`)
  if (mask.metadata.hasMetadata) actions.push('stripped metadata')
  return actions
}

const safeJoin = (outDir: string, relative: string): string => {
  const target = path.resolve(outDir, relative)
  if (!isInside(path.resolve(outDir), target)) {
    throw new WmsError('workspace/path-outside', `Refusing to write ${relative} outside ${outDir}.`)
  }
  return target
}

/** Refuses to write onto the file being fixed (an output folder that is the input folder). */
async function refuseOverwrite(target: string, source: DatasetFile): Promise<void> {
  const real = async (file: string): Promise<string> => realpath(file).catch(() => path.resolve(file))
  if ((await real(target)) === (await real(source.path))) {
    throw new WmsError('usage/invalid-arguments', `Refusing to overwrite the original ${source.relpath}.`, {
      hint: 'Write fixed copies to a separate folder; originals are never modified.',
    })
  }
}

async function readChecked(file: DatasetFile, policy: QaPolicy): Promise<Buffer> {
  const check = await checkDatasetFile(file)
  if (!check.ok) throw new WmsError('fs/io', `${file.relpath} cannot be read: ${check.failure.detail}`)
  return readDatasetFile(check.identity, policy.maxFileBytes)
}

/** The name a file keeps inside its role folder (`sub/x.JPG`, or a dropped file's name). */
function nameInRole(file: DatasetFile): string {
  const parts = file.relpath.split('/')
  const top = parts[0]?.toLowerCase() ?? ''
  return parts.length > 1 && /^(images?|masks?)$/.test(top) ? parts.slice(1).join('/') : (parts.at(-1) ?? file.relpath)
}

/** Writes the normalised copy of one pair into `outDir`, unless the pair has errors a fix cannot remove. */
export async function applyFixes(
  pair: QaPairInput,
  outDir: string,
  options: ApplyFixesOptions = {},
): Promise<FixResult> {
  const policy = resolveQaPolicy(options.policy)
  const sample = options.sample ?? (await probePair(pair, policy, options.cacheDir))
  const issues = options.issues ?? evaluateSample(sample, policy)
  const blocking = issues.filter((issue) => issue.severity === 'error' && !issue.fixable)
  if (blocking.length > 0 || !sample.image.ok || !sample.mask.ok) {
    const rules = [...new Set(blocking.map((issue) => issue.ruleId))].join(', ')
    return { sampleId: pair.sampleId, written: [], skipped: `errors a fix cannot remove (${rules || 'unreadable'})` }
  }
  const limits: DecodeLimits = { maxPixels: policy.maxPixels, timeoutMs: policy.perFileTimeoutMs }
  const written: FixedFile[] = []
  try {
    const imageName = nameInRole(pair.image)
    const extension = path.extname(imageName).toLowerCase()
    const photoFormat = extension === '.png' ? 'png' : 'jpeg'
    const imageTarget = safeJoin(outDir, path.join('images', imageName))
    await refuseOverwrite(imageTarget, pair.image)
    const imageBytes = await readChecked(pair.image, policy)
    const imageActions = needsPhotoRewrite(sample.image, photoFormat)
    const imageOut =
      imageActions.length === 0 ? imageBytes : await encodeNormalisedPhoto(imageBytes, photoFormat, limits)
    await mkdir(path.dirname(imageTarget), { recursive: true })
    await writeFile(imageTarget, imageOut)
    written.push({
      from: pair.image.path,
      to: imageTarget,
      actions: imageActions.length === 0 ? ['copied unchanged'] : imageActions,
    })

    const maskName = nameInRole(pair.mask)
    const maskPng = `${maskName.slice(0, maskName.length - path.extname(maskName).length)}.png`
    const maskTarget = safeJoin(outDir, path.join('masks', maskPng))
    await refuseOverwrite(maskTarget, pair.mask)
    const maskBytes = await readChecked(pair.mask, policy)
    const maskActions = needsMaskRewrite(sample.mask, policy)
    const maskOut = maskActions.length === 0 ? maskBytes : await encodeNormalisedMask(maskBytes, limits)
    await mkdir(path.dirname(maskTarget), { recursive: true })
    await writeFile(maskTarget, maskOut)
    written.push({
      from: pair.mask.path,
      to: maskTarget,
      actions: maskActions.length === 0 ? ['copied unchanged'] : maskActions,
    })
  } catch (thrown) {
    if (thrown instanceof ImageDecodeError) {
      return { sampleId: pair.sampleId, written, skipped: `could not re-encode: ${thrown.failure.detail}` }
    }
    throw thrown
  }
  return { sampleId: pair.sampleId, written }
}

async function probePair(
  pair: QaPairInput,
  policy: QaPolicy,
  cacheDir: string | null | undefined,
): Promise<ProbedSample> {
  const cache = await ProbeCache.open(cacheDir ?? undefined)
  const context = { policy, cache }
  const [image, mask] = await Promise.all([
    probeFile(pair.image, 'image', context),
    probeFile(pair.mask, 'mask', context),
  ])
  await cache.save()
  return { sampleId: pair.sampleId, image, mask }
}
