import { describe, expect, it } from 'vitest'
import { printable, printableLines, shellQuote } from './printable.js'

describe('text for terminals and shells', () => {
  it('shows control characters instead of sending them', () => {
    expect(printable('evil\u001b]0;pwned\u0007\nname.jpg')).toBe('evil\\x1b]0;pwned\\x07\\nname.jpg')
    expect(printable('plain — ünïcode.jpg')).toBe('plain — ünïcode.jpg')
    expect(printableLines('line 1\nbad\u001b[31m red\u009b')).toBe('line 1\nbad\\x1b[31m red\\x9b')
    // Each kind of control character, also in a long report where it is the only one.
    const report = 'pair ok\n'.repeat(5000)
    expect(printableLines(report)).toBe(report)
    for (const control of ['\u0000', '\t', '\r', '\u000b', '\u001f', '\u007f', '\u0085', '\u009f']) {
      expect(printableLines(`${report}${control}`)).not.toContain(control)
    }
  })

  it('quotes what a shell would interpret', () => {
    expect(shellQuote('origin/main')).toBe('origin/main')
    expect(shellQuote('x;touch ~/INJ')).toBe(`'x;touch ~/INJ'`)
    expect(shellQuote(`it's $(rm)`)).toBe(`'it'\\''s $(rm)'`)
  })
})
