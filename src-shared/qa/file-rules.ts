import type { QaPolicy } from '../config/qa-policy.js'
import { formatBytes, formatSize } from './format-values.js'
import { makeIssue, type QaIssue } from './issue.js'
import type { ProbedFile, ProbedFileFailed, ProbedFileOk, ProbedSample } from './probe.js'

/**
 * Rules about single files: what made a probe fail, extensions that lie, unusual photo encodings, and privacy
 * metadata. Pure functions of probed values.
 */

const EXTENSION_FORMAT: Record<string, string> = { '.jpg': 'jpeg', '.jpeg': 'jpeg', '.png': 'png' }

/** The `file/*` issue for a failed probe. */
export function failureIssue(sampleId: string, file: ProbedFileFailed, policy: QaPolicy): QaIssue {
  const { relpath, failure } = file
  const detail = { file: relpath, reason: failure.kind, detail: failure.detail }
  switch (failure.kind) {
    case 'empty':
      return makeIssue('file/empty', sampleId, `${relpath} is empty (0 bytes)`, detail)
    case 'too-large':
      return makeIssue(
        'file/too-large',
        sampleId,
        `${relpath} is ${formatBytes(file.bytes)}, above the ${formatBytes(policy.maxFileBytes)} limit`,
        { ...detail, bytes: file.bytes, limit: policy.maxFileBytes },
      )
    case 'unreadable':
      return makeIssue('file/unreadable', sampleId, `${relpath} cannot be read (${failure.detail})`, detail)
    case 'outside-dataset':
      return makeIssue(
        'file/outside-dataset',
        sampleId,
        `${relpath} is a link to a file outside the dataset (${failure.detail}); it was not read`,
        detail,
      )
    case 'unsupported-format': {
      const what =
        file.format === undefined || file.format === 'unknown'
          ? 'is not an image (its content is no known picture format)'
          : `is a ${file.format.toUpperCase()} file`
      return makeIssue('file/unsupported-format', sampleId, `${relpath} ${what}`, { ...detail, format: file.format })
    }
    case 'corrupt':
    case 'truncated':
      return makeIssue(
        'file/corrupt',
        sampleId,
        `${relpath} ${failure.kind === 'truncated' ? 'is truncated (the file ends before the picture does)' : 'is corrupt'}: ${failure.detail}`,
        detail,
      )
    case 'pixel-limit': {
      const width = failure.width ?? 0
      const height = failure.height ?? 0
      const megapixels = (width * height) / 1e6
      return makeIssue(
        'file/pixel-limit',
        sampleId,
        `${relpath} declares ${formatSize(width, height)} (${megapixels.toFixed(0)} megapixels), above the ${(policy.maxPixels / 1e6).toFixed(0)} megapixel limit; it was not decoded`,
        { ...detail, width, height, limit: policy.maxPixels },
      )
    }
    case 'timeout':
      return makeIssue(
        'file/timeout',
        sampleId,
        `${relpath} was not decoded within ${(policy.perFileTimeoutMs / 1000).toFixed(0)} s`,
        { ...detail, limitMs: policy.perFileTimeoutMs },
      )
  }
}

/** `file/extension-mismatch`: a `.png` that holds a JPEG, or the other way round. */
export function extensionIssue(sampleId: string, file: ProbedFileOk): QaIssue | undefined {
  const claimed = EXTENSION_FORMAT[file.extension]
  if (claimed === undefined || claimed === file.format) return undefined
  return makeIssue(
    'file/extension-mismatch',
    sampleId,
    `${file.relpath} is named ${file.extension} but holds a ${file.format.toUpperCase()} picture`,
    { file: file.relpath, extension: file.extension, format: file.format },
  )
}

/** `image/encoding`: CMYK, 16-bit or transparent photos. */
export function imageEncodingIssue(sampleId: string, file: ProbedFileOk): QaIssue | undefined {
  const reasons: string[] = []
  if (file.header.space === 'cmyk') reasons.push('CMYK colours')
  if (file.header.depth !== 'uchar')
    reasons.push(`${file.header.depth === 'ushort' ? '16' : file.header.depth}-bit samples`)
  if (file.header.hasAlpha) reasons.push('an alpha channel')
  if (reasons.length === 0) return undefined
  return makeIssue('image/encoding', sampleId, `${file.relpath} has ${reasons.join(', ')}`, {
    file: file.relpath,
    reasons,
    space: file.header.space,
    depth: file.header.depth,
    channels: file.header.channels,
  })
}

/** `privacy/gps` and `privacy/identifying-exif` for one file. */
export function privacyIssues(sampleId: string, file: ProbedFileOk): QaIssue[] {
  const issues: QaIssue[] = []
  const { gpsFields, identifyingFields } = file.metadata
  if (gpsFields.length > 0) {
    issues.push(
      makeIssue('privacy/gps', sampleId, `${file.relpath} carries a GPS location (${gpsFields.join(', ')})`, {
        file: file.relpath,
        fields: gpsFields,
      }),
    )
  }
  if (identifyingFields.length > 0) {
    issues.push(
      makeIssue(
        'privacy/identifying-exif',
        sampleId,
        `${file.relpath} carries identifying metadata (${identifyingFields.join(', ')})`,
        { file: file.relpath, fields: identifyingFields },
      ),
    )
  }
  return issues
}

/** Every single-file issue of a sample's two files. */
export function fileIssues(sample: ProbedSample, policy: QaPolicy): QaIssue[] {
  const issues: QaIssue[] = []
  const each = (file: ProbedFile, role: 'image' | 'mask'): void => {
    if (!file.ok) {
      issues.push(failureIssue(sample.sampleId, file, policy))
      return
    }
    const mismatch = extensionIssue(sample.sampleId, file)
    if (mismatch !== undefined) issues.push(mismatch)
    if (role === 'image') {
      const encoding = imageEncodingIssue(sample.sampleId, file)
      if (encoding !== undefined) issues.push(encoding)
    }
    issues.push(...privacyIssues(sample.sampleId, file))
  }
  each(sample.image, 'image')
  each(sample.mask, 'mask')
  return issues
}
