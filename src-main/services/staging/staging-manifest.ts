import { z } from 'zod'
import {
  DEFAULT_STAGING_SETTINGS,
  StagingSettingsSchema,
  SubmissionStateSchema,
} from '@wms/shared/staging/staging-types'

/** The staging manifest's schema (`staging.json`), and the types the store hands out. */

export const StoredFileSchema = z.object({
  originalName: z.string(),
  md5: z.string(),
  bytes: z.number().int().nonnegative(),
  /** Blob file name inside `blobs/`. */
  blob: z.string(),
  /** Written by a fix (a normalised copy); `original` keeps what the user added. */
  fixed: z.boolean().default(false),
  original: z.object({ originalName: z.string(), md5: z.string(), bytes: z.number(), blob: z.string() }).optional(),
})

/** A file in the staging area. */
export type StoredFile = z.infer<typeof StoredFileSchema>

const PairMetaSchema = z.object({
  fixes: z.array(z.string()).default([]),
  replacement: z.boolean().default(false),
  revision: z.number().int().nonnegative().default(0),
  /** When the pair was first added (ms since the epoch). */
  addedAt: z.number().optional(),
  /** The fixes on add were tried for the current files (they are not tried twice, nor after an undo). */
  autoFixTried: z.boolean().default(false),
  /** The current files are the fixes on add's copies. */
  autoFixed: z.boolean().default(false),
})

/** What the manifest records per pair (by stem). */
export type PairMeta = z.infer<typeof PairMetaSchema>

const FrozenFileSchema = z.object({ relpath: z.string(), md5: z.string(), bytes: z.number(), blob: z.string() })

/** One file of a submitted pair, as it was when the submission froze it. */
export type FrozenFile = z.infer<typeof FrozenFileSchema>

const FrozenPairSchema = z.object({ id: z.string(), revision: z.number().int(), files: z.array(FrozenFileSchema) })

/** A pair as a submission froze it: its content revision and the exact bytes (by hash) that QA passed. */
export type FrozenPair = z.infer<typeof FrozenPairSchema>

export const ManifestSchema = z.object({
  version: z.literal(1),
  /** Dataset relpath (`images/x.jpg`) → stored file. */
  files: z.record(z.string(), StoredFileSchema),
  pairs: z.record(z.string(), PairMetaSchema).default({}),
  submission: SubmissionStateSchema.nullable().default(null),
  /** What the current submission pushes; its blobs stay until the submission is forgotten. */
  submitted: z.array(FrozenPairSchema).default([]),
  settings: StagingSettingsSchema.default(DEFAULT_STAGING_SETTINGS),
  /** Edits that can be undone, oldest first: each holds its pairs' files and metadata as they were before. */
  undo: z
    .array(
      z.object({
        label: z.string(),
        stems: z.array(z.string()),
        files: z.record(z.string(), StoredFileSchema),
        pairs: z.record(z.string(), PairMetaSchema),
      }),
    )
    .default([]),
})

export type Manifest = z.infer<typeof ManifestSchema>

export const emptyManifest = (): Manifest => ({
  version: 1,
  files: {},
  pairs: {},
  submission: null,
  submitted: [],
  settings: { ...DEFAULT_STAGING_SETTINGS },
  undo: [],
})

/** How many edits can be undone. */
export const UNDO_DEPTH = 20

/** The outcome of adding one file. */
export type AddFileResult =
  | { ok: true; relpath: string; stem: string; replaced: boolean }
  | { ok: false; name: string; reason: string; kind: RejectKind }

/** Why a file could not be staged, as a kind the app groups by. */
export type RejectKind = 'unknown-role' | 'git-path' | 'store'

/** The staging area of one workspace. */
