import type { QaPairInput } from 'training-runner'
import type { StagedIssue } from '@wms/shared/staging/staging-types'

/** One staged pair handed to QA: the runner's own pair input (its files in the staging area's blob folder). */
export type { QaPairInput }

/** QA's findings on one pair, plus the probed facts the grid shows. */
export interface QaPairVerdict {
  id: string
  issues: StagedIssue[]
  width?: number
  height?: number
  foreground?: number
  /** MD5 of the bytes QA read for each file: a submission pushes only bytes with these hashes. */
  seen?: { image?: string; mask?: string }
}

/**
 * How the staging service runs QA. The implementation runs the runner's QA engine off the main thread; the
 * service only sees verdicts. `onPair` streams per-pair verdicts as they finish; the resolved value is final
 * (dataset-level rules such as duplicates and outliers included).
 */
export interface QaChecker {
  run(
    input: { pairs: QaPairInput[]; replacements: string[] },
    options: { signal: AbortSignal; onPair: (verdict: QaPairVerdict) => void },
  ): Promise<QaPairVerdict[]>
  /** Gets ready for the first run (start the worker, index the existing dataset) without waiting for it. */
  prepare?(): void
  dispose(): Promise<void>
}

/** A normalised copy a fix wrote for one staged file, to be stored as the file's next revision. */
export interface StagedFix {
  /** The file's dataset path before the fix. */
  relpath: string
  /** Its dataset path after (a JPEG mask becomes `.png`). */
  newRelpath: string
  bytes: Uint8Array
  fixes: string[]
}

/** What a fix of one pair wrote, or why it wrote nothing (errors a fix cannot remove). */
export interface PairFixResult {
  /** The normalised copies (empty when the pair was already clean or was skipped). */
  files: StagedFix[]
  skipped?: string
}

/** Applies the safe fixes to one pair's files and returns the normalised copies (nothing when already clean). */
export type PairFixer = (pair: QaPairInput) => Promise<PairFixResult>
