import type { QaPolicy } from '../config/qa-policy.js'
import { parseDatasetPath } from '../dataset/pairing.js'
import type { DatasetIndexEntry } from './dataset-index.js'
import { makeIssue, type QaIssue } from './issue.js'
import { HashTable, hashWords, type HashWords } from './perceptual-hash.js'
import type { ProbedSample } from './probe.js'

/**
 * Duplicate rules: exact (MD5 of the bytes) and near (perceptual hash of the EXIF-oriented photo) duplicates within
 * the upload and against the existing dataset, and name collisions with the existing dataset. Pure.
 */

/** What the duplicate rules know about the existing dataset and the upload's intent. */
export interface DuplicateContext {
  /** Files of the existing dataset (see {@link DatasetIndexEntry}); empty when there is none to compare with. */
  existing: readonly DatasetIndexEntry[]
  /** Stems the user marked as replacements of existing pairs. */
  replacements: ReadonlySet<string>
}

interface ExistingImage {
  relpath: string
  stem: string
  md5: string
}

interface ExistingByStem {
  image?: DatasetIndexEntry
  mask?: DatasetIndexEntry
}

function indexExisting(entries: readonly DatasetIndexEntry[]): {
  /** Existing images with a perceptual hash, in the order of `table`. */
  hashedImages: ExistingImage[]
  table: HashTable
  byStem: Map<string, ExistingByStem>
  byMd5: Map<string, ExistingImage>
} {
  const hashedImages: ExistingImage[] = []
  const table = new HashTable()
  const byStem = new Map<string, ExistingByStem>()
  const byMd5 = new Map<string, ExistingImage>()
  for (const entry of entries) {
    const { role, stem } = parseDatasetPath(entry.relpath)
    if (role === 'other') continue
    const key = stem.normalize()
    const slot = byStem.get(key) ?? {}
    if (role === 'images') slot.image = entry
    else slot.mask = entry
    byStem.set(key, slot)
    if (role === 'images') {
      const image: ExistingImage = { relpath: entry.relpath, stem: key, md5: entry.md5 }
      if (entry.phash !== undefined) {
        hashedImages.push(image)
        table.add(hashWords(entry.phash))
      }
      if (!byMd5.has(entry.md5)) byMd5.set(entry.md5, image)
    }
  }
  return { hashedImages, table, byStem, byMd5 }
}

/** `duplicate/*` issues of the upload, within itself and against `context.existing`. */
export function duplicateIssues(
  samples: readonly ProbedSample[],
  context: DuplicateContext,
  policy: QaPolicy,
): QaIssue[] {
  const issues: QaIssue[] = []
  const sorted = [...samples].sort((a, b) => (a.sampleId < b.sampleId ? -1 : a.sampleId > b.sampleId ? 1 : 0))
  const existing = indexExisting(context.existing)
  const exactInUpload = new Set<string>()

  // Within the upload: the first of each identical group is kept, the others are flagged.
  const firstByMd5 = new Map<string, ProbedSample>()
  for (const sample of sorted) {
    const md5 = sample.image.md5
    if (md5 === undefined) continue
    const first = firstByMd5.get(md5)
    if (first === undefined) {
      firstByMd5.set(md5, sample)
      continue
    }
    exactInUpload.add(sample.sampleId)
    issues.push(
      makeIssue(
        'duplicate/exact',
        sample.sampleId,
        `${sample.image.relpath} is byte-for-byte the same photo as ${first.image.relpath}`,
        { file: sample.image.relpath, duplicateOf: first.image.relpath, sampleOf: first.sampleId, md5 },
      ),
    )
  }

  const hashed: { sample: ProbedSample; words: HashWords }[] = []
  const table = new HashTable()
  for (const sample of sorted) {
    // Later copies of an exact duplicate are already flagged, so the table holds distinct contents only.
    if (!sample.image.ok || sample.image.phash === undefined || exactInUpload.has(sample.sampleId)) continue
    const words = hashWords(sample.image.phash)
    const nearest = table.nearest(words, policy.nearDuplicateDistance)
    table.add(words)
    hashed.push({ sample, words })
    const other = nearest === undefined ? undefined : hashed[nearest.index]?.sample
    if (nearest !== undefined && other !== undefined) {
      issues.push(
        makeIssue(
          'duplicate/near',
          sample.sampleId,
          `${sample.image.relpath} looks nearly the same as ${other.image.relpath} (perceptual hashes ${String(nearest.distance)} of 64 bits apart)`,
          {
            file: sample.image.relpath,
            similarTo: other.image.relpath,
            sampleOf: other.sampleId,
            distance: nearest.distance,
            limit: policy.nearDuplicateDistance,
          },
        ),
      )
    }
  }

  if (context.existing.length > 0) {
    const wordsOf = new Map(hashed.map(({ sample, words }) => [sample.sampleId, words]))
    for (const sample of sorted) {
      issues.push(...againstExisting(sample, wordsOf.get(sample.sampleId), existing, context, policy))
    }
  }
  return issues
}

function againstExisting(
  sample: ProbedSample,
  words: HashWords | undefined,
  existing: ReturnType<typeof indexExisting>,
  context: DuplicateContext,
  policy: QaPolicy,
): QaIssue[] {
  const issues = namesAgainstExisting(sample, existing, context)
  const key = sample.sampleId.normalize()
  const sameStem = existing.byStem.get(key)
  if (sameStem?.image !== undefined || issues.length > 0 || words === undefined) return issues
  const nearest = existing.table.nearest(words, policy.nearDuplicateDistance)
  const best =
    nearest === undefined ? undefined : { other: existing.hashedImages[nearest.index], distance: nearest.distance }
  if (best?.other !== undefined) {
    issues.push(
      makeIssue(
        'duplicate/near-existing',
        sample.sampleId,
        `${sample.image.relpath} looks nearly the same as ${best.other.relpath} in the dataset (perceptual hashes ${String(best.distance)} of 64 bits apart)`,
        {
          file: sample.image.relpath,
          similarTo: best.other.relpath,
          distance: best.distance,
          limit: policy.nearDuplicateDistance,
        },
      ),
    )
  }
  return issues
}

/** Name collisions, re-submissions and exact copies of existing photos under another name. */
function namesAgainstExisting(
  sample: ProbedSample,
  existing: ReturnType<typeof indexExisting>,
  context: DuplicateContext,
): QaIssue[] {
  const key = sample.sampleId.normalize()
  const sameStem = existing.byStem.get(key)
  if (sameStem !== undefined) {
    const imageSame = sameStem.image === undefined || sameStem.image.md5 === sample.image.md5
    const maskSame = sameStem.mask === undefined || sameStem.mask.md5 === sample.mask.md5
    const existingFiles = [sameStem.image?.relpath, sameStem.mask?.relpath].filter((f) => f !== undefined)
    if (imageSame && maskSame) {
      return [
        makeIssue(
          'duplicate/already-present',
          sample.sampleId,
          `${sample.sampleId} is already in the dataset with identical files (${existingFiles.join(', ')})`,
          { existing: existingFiles },
        ),
      ]
    }
    const differing = [
      ...(imageSame ? [] : [sameStem.image?.relpath ?? '']),
      ...(maskSame ? [] : [sameStem.mask?.relpath ?? '']),
    ]
    const details = { existing: existingFiles, differing, imageChanged: !imageSame, maskChanged: !maskSame }
    if (context.replacements.has(sample.sampleId) || context.replacements.has(key)) {
      return [
        makeIssue(
          'duplicate/replacement',
          sample.sampleId,
          `${sample.sampleId} replaces ${differing.join(' and ')} in the dataset`,
          details,
        ),
      ]
    }
    return [
      makeIssue(
        'duplicate/name-collision',
        sample.sampleId,
        `${sample.sampleId} is already in the dataset with different content (${differing.join(', ')})`,
        details,
      ),
    ]
  }
  const md5 = sample.image.md5
  const copy = md5 === undefined ? undefined : existing.byMd5.get(md5)
  if (copy === undefined) return []
  return [
    makeIssue(
      'duplicate/exact-existing',
      sample.sampleId,
      `${sample.image.relpath} is byte-for-byte the same photo as ${copy.relpath} in the dataset`,
      { file: sample.image.relpath, duplicateOf: copy.relpath, md5 },
    ),
  ]
}
