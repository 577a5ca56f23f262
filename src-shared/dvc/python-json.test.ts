import { describe, expect, it } from 'vitest'
import { compareCodePoints, pythonJsonDumps, pythonJsonString } from './python-json.js'

describe('pythonJsonString', () => {
  it.each([
    ['plain', '"plain"'],
    ['é', '"\\u00e9"'],
    ['😀', '"\\ud83d\\ude00"'],
    ['a"b\\c', '"a\\"b\\\\c"'],
    ['\t\n\r\b\f', '"\\t\\n\\r\\b\\f"'],
    ['\u0001\u001f\u007f~ ', '"\\u0001\\u001f\\u007f~ "'],
  ])('writes %j as Python does', (input, expected) => {
    expect(pythonJsonString(input)).toBe(expected)
  })
})

describe('pythonJsonDumps', () => {
  it('sorts keys and uses Python separators', () => {
    expect(
      pythonJsonDumps([
        { relpath: 'x', md5: 'y' },
        { b: [1, true, null], a: 'z' },
      ]),
    ).toBe('[{"md5": "y", "relpath": "x"}, {"a": "z", "b": [1, true, null]}]')
    expect(pythonJsonDumps([])).toBe('[]')
  })

  it('refuses floats, which DVC manifests never hold', () => {
    expect(() => pythonJsonDumps(1.5)).toThrow(RangeError)
  })
})

describe('compareCodePoints', () => {
  it('sorts astral characters after the rest of the BMP, as Python does', () => {
    const sorted = ['😀', '\uffff', 'z', 'A', 'é'].sort(compareCodePoints)
    expect(sorted).toEqual(['A', 'z', 'é', '\uffff', '😀'])
    // JavaScript's default order differs exactly here.
    expect(['😀', '\uffff'].sort()).toEqual(['😀', '\uffff'])
  })

  it('orders prefixes first', () => {
    expect(compareCodePoints('a', 'ab')).toBeLessThan(0)
    expect(compareCodePoints('ab', 'a')).toBeGreaterThan(0)
    expect(compareCodePoints('a', 'a')).toBe(0)
  })
})
