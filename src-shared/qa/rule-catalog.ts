/**
 * The QA rule catalogue: every rule's stable id, severity, and the words every issue of it uses.
 *
 * Ids are `area/kebab-name` and never change meaning: reports, the app, PR comments and suppressions refer to them.
 * `error` blocks a submission (exit code 1), `warning` is shown but allowed, `info` is worth knowing.
 */

/** How bad an issue is. */
export const QA_SEVERITIES = ['error', 'warning', 'info'] as const

/** How bad an issue is: `error` blocks, `warning` is allowed, `info` is context. */
export type QaSeverity = (typeof QA_SEVERITIES)[number]

/** What every issue of one rule shares. */
export interface QaRuleSpec {
  severity: QaSeverity
  /** A few words, for tables and filters. */
  title: string
  /** Why it matters for training, one sentence. */
  why: string
  /** What to do, one sentence (the default; a rule may say something more specific). */
  action: string
  /** True when `--fix` (and the app's one-click fix) writes a copy without the problem. */
  fixable: boolean
}

const FIX = 'Run `training-runner qa --fix <out-dir>` (or Fix in the app) to write a corrected copy.'

/** Every rule, by id. */
export const QA_RULES = {
  'pairing/orphan-image': {
    severity: 'error',
    title: 'image without a mask',
    why: 'Training needs a mask for every image; this one would be dropped or break the pairing.',
    action: 'Add the mask with the same name under masks/, or remove the image.',
    fixable: false,
  },
  'pairing/orphan-mask': {
    severity: 'error',
    title: 'mask without an image',
    why: 'A mask without its photo cannot be trained on.',
    action: 'Add the image with the same name under images/, or remove the mask.',
    fixable: false,
  },
  'pairing/duplicate-stem': {
    severity: 'error',
    title: 'two files claim one name',
    why: 'Only one of them can be paired; which one wins would be arbitrary.',
    action: 'Keep one file per name in each folder (e.g. remove x.png when x.jpg is the one you mean).',
    fixable: false,
  },
  'pairing/unsupported-extension': {
    severity: 'error',
    title: 'unsupported file type',
    why: 'Only .jpg, .jpeg and .png files are trained on; this file would be silently ignored.',
    action: 'Convert it to JPEG (photos) or PNG (masks), or remove it.',
    fixable: false,
  },
  'pairing/unknown-role': {
    severity: 'error',
    title: 'cannot tell image from mask',
    why: 'A loose file must say whether it is a photo or a mask before it can be paired.',
    action: 'Name it <name>_image.<ext> or <name>_mask.<ext>, or put it in an images/ or masks/ folder.',
    fixable: false,
  },
  'file/empty': {
    severity: 'error',
    title: 'empty file',
    why: 'A zero-byte file has no picture in it.',
    action: 'Export or copy the file again.',
    fixable: false,
  },
  'file/too-large': {
    severity: 'error',
    title: 'file too large',
    why: 'A file this large is not a phone photo or mask and would stall decoding and uploads.',
    action: 'Check that this is the right file; downscale it, or raise qa.maxFileBytes in wms.config.json.',
    fixable: false,
  },
  'file/unreadable': {
    severity: 'error',
    title: 'file cannot be read',
    why: 'The pipeline cannot use a file it cannot read.',
    action: 'Check the file permissions and that it is a regular file, then try again.',
    fixable: false,
  },
  'file/outside-dataset': {
    severity: 'error',
    title: 'link points outside the dataset',
    why: 'QA never reads outside the dataset, and the link would not survive the upload.',
    action: 'Copy the real file into the dataset instead of linking to it.',
    fixable: false,
  },
  'file/unsupported-format': {
    severity: 'error',
    title: 'not a JPEG or PNG',
    why: 'The training pipeline decodes JPEG and PNG only.',
    action: 'Convert it to JPEG (photos) or PNG (masks).',
    fixable: false,
  },
  'file/extension-mismatch': {
    severity: 'warning',
    title: 'extension does not match content',
    why: 'Tools that trust the extension (DVC diffs, viewers, some decoders) treat the file as the wrong format.',
    action: FIX,
    fixable: true,
  },
  'file/corrupt': {
    severity: 'error',
    title: 'corrupt or truncated',
    why: 'A file that does not decode cleanly makes training fail or learn from garbage.',
    action: 'Export or copy the file again (an interrupted copy is the usual cause).',
    fixable: false,
  },
  'file/pixel-limit': {
    severity: 'error',
    title: 'too many pixels',
    why: 'Decoding it would take gigabytes of memory (a decompression bomb, or a scan at absurd resolution).',
    action: 'Downscale it, or raise qa.maxPixels in wms.config.json if it is genuine.',
    fixable: false,
  },
  'file/timeout': {
    severity: 'error',
    title: 'took too long to check',
    why: 'A file that takes this long to decode would stall training too.',
    action: 'Re-export the file; raise qa.perFileTimeoutMs only if the machine is just slow.',
    fixable: false,
  },
  'image/encoding': {
    severity: 'warning',
    title: 'unusual photo encoding',
    why: 'CMYK, 16-bit or transparent photos decode differently across tools, so the model may see other colours.',
    action: FIX,
    fixable: true,
  },
  'geometry/rotated-match': {
    severity: 'info',
    title: 'matches only after rotation',
    why: 'The photo is stored sideways with an EXIF orientation tag; decoders that ignore the tag pair it with a mask of the wrong shape.',
    action: FIX,
    fixable: true,
  },
  'geometry/orientation-ambiguous': {
    severity: 'info',
    title: 'orientation cannot be checked by size',
    why: 'The photo has an EXIF rotation (180° or mirrored) that keeps its size, so a mask drawn on the unrotated pixels would still look valid.',
    action: 'Check the overlay once; --fix bakes the rotation into the pixels.',
    fixable: true,
  },
  'geometry/size-mismatch': {
    severity: 'error',
    title: 'image and mask sizes differ',
    why: 'Every mask pixel must label the photo pixel at the same place; a different size makes the labels wrong.',
    action: 'Export the mask again at the photo’s size (as displayed, i.e. after EXIF rotation).',
    fixable: false,
  },
  'geometry/too-small': {
    severity: 'error',
    title: 'too small',
    why: 'Below the minimum side the counter digits are a few pixels wide and cannot be learned.',
    action: 'Use the original photo, or lower qa.minSide in wms.config.json.',
    fixable: false,
  },
  'geometry/aspect-outlier': {
    severity: 'warning',
    title: 'unusual aspect ratio',
    why: 'A very different shape gets squashed when resized for training, distorting the counter.',
    action: 'Check that the photo is not a panorama or a cropped strip; keep it only if it is intended.',
    fixable: false,
  },
  'mask/colour': {
    severity: 'error',
    title: 'colour mask',
    why: 'Masks are read as one grey channel; colours (e.g. a red overlay) map to arbitrary grey levels.',
    action: 'Export the mask as black (background) and white (counter) only.',
    fixable: false,
  },
  'mask/multi-channel': {
    severity: 'info',
    title: 'mask has several equal channels',
    why: 'An RGB (or RGBA) mask with equal channels works but wastes space and depends on the decoder taking one channel.',
    action: FIX,
    fixable: true,
  },
  'mask/alpha': {
    severity: 'warning',
    title: 'mask has transparency',
    why: 'Transparent pixels have no defined value; QA treats them as background (flattened onto black).',
    action: FIX,
    fixable: true,
  },
  'mask/bit-depth': {
    severity: 'warning',
    title: '16-bit mask',
    why: 'Decoders that expect 8 bits read a 16-bit mask as noise or as all-foreground.',
    action: FIX,
    fixable: true,
  },
  'mask/lossy': {
    severity: 'warning',
    title: 'lossy mask, thresholded at 127',
    why: 'JPEG compression leaves grey pixels near the edges; they are counted as foreground at ≥ 127.',
    action: FIX,
    fixable: true,
  },
  'mask/not-binary': {
    severity: 'error',
    title: 'not a binary mask',
    why: 'Many pixels are mid-grey, so this is a photo, a soft or a multi-class mask, not black/white labels.',
    action: 'Export the mask as pure black (0) and white (255).',
    fixable: false,
  },
  'mask/empty': {
    severity: 'error',
    title: 'empty mask',
    why: 'A mask with no foreground teaches the model that there is no counter in the photo.',
    action: 'Draw the counter area, or remove the pair.',
    fixable: false,
  },
  'mask/near-empty': {
    severity: 'error',
    title: 'near-empty mask',
    why: 'A few stray pixels are not a counter area; the pair would teach the model almost nothing or the wrong thing.',
    action: 'Draw the whole counter area, or remove the pair.',
    fixable: false,
  },
  'mask/foreground-outlier': {
    severity: 'warning',
    title: 'unusual foreground size',
    why: 'The labelled area is far larger or smaller than in the rest of the dataset, which often means a wrong or partial mask.',
    action: 'Look at the overlay; keep it if the counter really is that large or small in the photo.',
    fixable: false,
  },
  'mask/inverted': {
    severity: 'warning',
    title: 'mask looks inverted',
    why: 'The foreground covers the borders (or most of the picture), as if background and counter were swapped.',
    action: 'Check the overlay; invert the mask if the counter is black and the rest white.',
    fixable: false,
  },
  'duplicate/exact': {
    severity: 'error',
    title: 'identical photo in the upload',
    why: 'The same photo twice weighs it double and, with different masks, contradicts itself.',
    action: 'Keep one of the pairs.',
    fixable: false,
  },
  'duplicate/near': {
    severity: 'warning',
    title: 'near-duplicate photo in the upload',
    why: 'Near-identical photos can land in both training and test splits and inflate the scores the gate relies on.',
    action: 'Keep one unless they really are different readings of the same meter.',
    fixable: false,
  },
  'duplicate/exact-existing': {
    severity: 'error',
    title: 'photo already in the dataset',
    why: 'The dataset already holds this exact photo under another name; adding it again weighs it double.',
    action: 'Drop this pair, or submit it as a replacement of the existing one.',
    fixable: false,
  },
  'duplicate/near-existing': {
    severity: 'warning',
    title: 'near-duplicate of a dataset photo',
    why: 'A near-identical photo already in the dataset can leak between training and test splits.',
    action: 'Skip it, replace the existing pair, or keep it if it is a new reading of the same meter.',
    fixable: false,
  },
  'duplicate/already-present': {
    severity: 'info',
    title: 'already in the dataset',
    why: 'The same name with the same content is already in the dataset; submitting it changes nothing.',
    action: 'Nothing to do; it can be left out of the submission.',
    fixable: false,
  },
  'duplicate/name-collision': {
    severity: 'error',
    title: 'name taken by a different file',
    why: 'The dataset has a different file under this name; merging would overwrite it silently.',
    action: 'Rename the new pair, or mark it as a replacement (--replace <name>).',
    fixable: false,
  },
  'duplicate/replacement': {
    severity: 'info',
    title: 'replaces a dataset pair',
    why: 'This pair is marked as a replacement and will overwrite the existing files of the same name.',
    action: 'Nothing to do if that is intended.',
    fixable: false,
  },
  'privacy/gps': {
    severity: 'warning',
    title: 'GPS location in the photo',
    why: 'The photo records where it was taken (often a home address); it would be stored and shared with the dataset.',
    action: FIX,
    fixable: true,
  },
  'privacy/identifying-exif': {
    severity: 'warning',
    title: 'identifying metadata in the photo',
    why: 'Owner names and device serial numbers identify the person or the phone that took it.',
    action: FIX,
    fixable: true,
  },
} as const satisfies Record<string, QaRuleSpec>

/** A stable rule id (`mask/lossy`, `duplicate/near-existing`, …). */
export type QaRuleId = keyof typeof QA_RULES

/** Every rule id, in catalogue order (the order reports list them in). */
export const QA_RULE_IDS = Object.keys(QA_RULES) as QaRuleId[]

/** The catalogue entry of a rule. */
export function ruleSpec(ruleId: QaRuleId): QaRuleSpec {
  return QA_RULES[ruleId]
}
