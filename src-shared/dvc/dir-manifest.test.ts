import { describe, expect, it } from 'vitest'
import { WmsError } from '../errors.js'
import { parseDirManifest, relpathProblem, serializeDirManifest } from './dir-manifest.js'

const md5 = (c: string): string => c.repeat(32)

describe('serializeDirManifest', () => {
  it('matches json.dumps(sorted(entries), sort_keys=True) byte for byte', () => {
    // Expected text produced by CPython 3: json.dumps(sorted(l, key=lambda e: e["relpath"]), sort_keys=True)
    const text = serializeDirManifest([
      { md5: md5('a'), relpath: 'z/é.jpg' },
      { md5: md5('b'), relpath: '😀.png' },
      { md5: md5('c'), relpath: '\uffff.png' },
      { md5: md5('d'), relpath: 'tab\there "q" \\ \u007f.jpg' },
    ])
    expect(text).toBe(
      '[{"md5": "dddddddddddddddddddddddddddddddd", "relpath": "tab\\there \\"q\\" \\\\ \\u007f.jpg"}, ' +
        '{"md5": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "relpath": "z/\\u00e9.jpg"}, ' +
        '{"md5": "cccccccccccccccccccccccccccccccc", "relpath": "\\uffff.png"}, ' +
        '{"md5": "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "relpath": "\\ud83d\\ude00.png"}]',
    )
  })

  it('writes an empty directory as []', () => {
    expect(serializeDirManifest([])).toBe('[]')
  })
})

describe('parseDirManifest', () => {
  it('round-trips and sorts', () => {
    const entries = [
      { md5: md5('1'), relpath: 'b.jpg' },
      { md5: md5('2'), relpath: 'a/ü.png' },
    ]
    expect(parseDirManifest(serializeDirManifest(entries), 'x.dir')).toEqual([entries[1], entries[0]])
  })

  it('ignores extra keys DVC may add', () => {
    expect(parseDirManifest(`[{"md5": "${md5('a')}", "relpath": "a.jpg", "size": 3}]`, 'x')).toEqual([
      { md5: md5('a'), relpath: 'a.jpg' },
    ])
  })

  it.each([
    ['not json', 'not JSON'],
    ['{}', 'expected a JSON list'],
    ['[1]', 'not an object'],
    ['[{"md5": "nope", "relpath": "a"}]', 'no valid md5'],
    [`[{"md5": "${'a'.repeat(32)}"}]`, 'no relpath'],
    [`[{"md5": "${'a'.repeat(32)}", "relpath": "../../etc/passwd"}]`, '".." segment'],
    [`[{"md5": "${'a'.repeat(32)}", "relpath": "/etc/passwd"}]`, 'is absolute'],
    [`[{"md5": "${'a'.repeat(32)}", "relpath": "a"}, {"md5": "${'b'.repeat(32)}", "relpath": "a"}]`, 'appears twice'],
  ])('rejects %s', (text, why) => {
    let thrown: unknown
    try {
      parseDirManifest(text, 'remote files/md5/ab/cd.dir')
    } catch (error) {
      thrown = error
    }
    expect(thrown).toBeInstanceOf(WmsError)
    expect((thrown as WmsError).code).toBe('dataset/invalid-manifest')
    expect((thrown as WmsError).message).toContain(why)
    expect((thrown as WmsError).message).toContain('remote files/md5/ab/cd.dir')
  })
})

describe('relpathProblem', () => {
  it.each([
    ['a/b.jpg', undefined],
    ['images/ünï cödé 😀.JPG', undefined],
    ['', 'is empty'],
    ['a//b', 'has an empty, "." or ".." segment'],
    ['./a', 'has an empty, "." or ".." segment'],
    ['a\\b', undefined],
    ['..\\x', 'has a "." or ".." segment'],
    ['C:/x', 'is absolute'],
  ])('%j → %s', (relpath, problem) => {
    expect(relpathProblem(relpath)).toBe(problem)
  })
})
