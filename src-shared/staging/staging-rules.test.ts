import { describe, expect, it } from 'vitest'
import { canFix, findingSpec, wantsAutoFix } from './staging-rules.js'

const issue = (ruleId: Parameters<typeof findingSpec>[0], severity = 'warning', fixable = true) => ({
  ruleId,
  severity,
  fixable,
})

describe('staging rules', () => {
  it.each([
    ['a lossy JPEG mask', [issue('mask/lossy')], true],
    ['GPS in the photo and an EXIF rotation', [issue('privacy/gps'), issue('geometry/rotated-match', 'info')], true],
    ['a lossy mask on a corrupt photo', [issue('mask/lossy'), issue('file/corrupt', 'error', false)], false],
    ['a mask with transparency (a person decides)', [issue('mask/alpha'), issue('mask/multi-channel', 'info')], false],
    ['a finding no fix touches', [issue('mask/foreground-outlier', 'warning', false)], false],
    ['nothing', [], false],
  ] as const)('fixes on add: %s → %s', (_, issues, expected) => {
    expect(wantsAutoFix(issues)).toBe(expected)
  })

  it('counts a pair as fixable only when a fix would change it', () => {
    expect(canFix([issue('mask/alpha')])).toBe(true)
    expect(canFix([issue('mask/lossy'), issue('duplicate/exact', 'error', false)])).toBe(false)
    expect(findingSpec('staging/already-submitted').severity).toBe('error')
    expect(findingSpec('mask/lossy').title).toContain('lossy')
  })
})
