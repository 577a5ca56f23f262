import { formatMegabytes, MAX_UPLOAD_FILE_BYTES } from '@wms/shared/ipc/upload-limit'
import { canFix } from '@wms/shared/staging/staging-rules'
import type { StagedPair } from '@wms/shared/staging/staging-types'
import type { ReactElement, RefObject } from 'react'
import { useAppStore } from '../../store/app-store.js'

/** What the last fix did and did not do, in words (shown beside the actions, and announced). */
function fixReportWords(report: { did: string[]; skipped?: string } | null, pair: StagedPair): string {
  if (report === null) return ''
  const left = pair.issues.filter((issue) => issue.severity !== 'info' && !issue.fixable).map((issue) => issue.ruleId)
  const did = report.did.length > 0 ? `Fixed: ${report.did.join(', ')}.` : 'Nothing was changed.'
  if (report.skipped !== undefined)
    return `Not fixed: ${report.skipped}. A person has to resolve ${left.join(', ') || 'it'}.`
  return left.length > 0 ? `${did} Not fixable: ${left.join(', ')}.` : did
}

/**
 * The detail's actions in one toolbar that stays in view (under the header, whatever the findings' length): fix,
 * replace the mask (previewed first), mark as a replacement, remove. Beside them, what the last fix did.
 */
export function DetailToolbar({
  pair,
  maskInput,
  onRemove,
}: {
  pair: StagedPair
  maskInput: RefObject<HTMLInputElement | null>
  onRemove: () => void
}): ReactElement {
  const applyFixes = useAppStore((state) => state.applyFixes)
  const setReplacement = useAppStore((state) => state.setReplacement)
  const previewMask = useAppStore((state) => state.previewMask)
  const report = useAppStore((state) => (state.staging.fixReport?.id === pair.id ? state.staging.fixReport : null))
  const fixable = canFix(pair.issues)
  const collision = pair.issues.some((issue) => issue.ruleId.includes('collision'))
  return (
    <div className="detail__toolbar" role="toolbar" aria-label="Pair actions">
      <button
        type="button"
        className="button button--primary"
        disabled={!fixable}
        title={fixable ? 'Apply the safe fixes to this pair' : 'Nothing here can be fixed automatically'}
        onClick={() => void applyFixes([pair.id])}
      >
        Apply safe fixes
      </button>
      <button
        type="button"
        className="button"
        title={`A PNG or JPEG, up to ${formatMegabytes(MAX_UPLOAD_FILE_BYTES)}`}
        onClick={() => maskInput.current?.click()}
      >
        Replace mask…
      </button>
      <input
        ref={maskInput}
        type="file"
        accept=".png,.jpg,.jpeg"
        hidden
        aria-label="Replacement mask file"
        data-testid="replace-mask-input"
        onChange={(event) => {
          const file = event.target.files?.[0]
          if (file !== undefined) previewMask({ id: pair.id, file })
          event.target.value = ''
        }}
      />
      {collision || pair.replacement ? (
        <label className="detail__check">
          <input
            type="checkbox"
            checked={pair.replacement}
            onChange={(event) => void setReplacement(pair.id, event.target.checked)}
          />
          Replaces the dataset&apos;s pair with this name
        </label>
      ) : null}
      <button type="button" className="button button--danger" onClick={onRemove}>
        Remove pair
      </button>
      <p className="detail__report" role="status" data-testid="fix-report">
        {fixReportWords(report, pair)}
      </p>
    </div>
  )
}
