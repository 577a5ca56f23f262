import { describe, expect, it } from 'vitest'
import { WmsError } from '../errors.js'
import { parseReplacements } from './replacements.js'

describe('parseReplacements', () => {
  it('reads a valid declaration', () => {
    const text =
      'version: 1\nreplace:\n  - path: images/a.jpg\n    reason: re-taken photo\n  - path: masks/a.png\n    reason: redrawn\n'
    expect(parseReplacements(text, 'replacements.yaml')).toEqual([
      { path: 'images/a.jpg', reason: 're-taken photo' },
      { path: 'masks/a.png', reason: 'redrawn' },
    ])
  })

  it.each([
    ['version: 1\nreplace: [', 'not valid YAML'],
    ['version: 2\nreplace:\n  - {path: images/a.jpg, reason: x}', 'version'],
    ['version: 1\nreplace: []', 'at least one'],
    ['version: 1\nreplace:\n  - {path: images/a.jpg}', 'reason'],
    ['version: 1\nreplace:\n  - {path: images/a.jpg, reason: " "}', 'say why'],
    ['version: 1\nreplace:\n  - {path: images/a.jpg, reason: x, force: true}', 'force'],
    ['version: 1\nreplace:\n  - {path: ../a.jpg, reason: x}', '".." segment'],
    ['version: 1\nreplace:\n  - {path: other/a.jpg, reason: x}', 'not under images/ or masks/'],
    ['version: 1\nreplace:\n  - {path: images/a.jpg, reason: x}\n  - {path: images/a.jpg, reason: y}', 'listed twice'],
  ])('refuses %j', (text, why) => {
    try {
      parseReplacements(text, 'data/training/replacements.yaml')
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(WmsError)
      expect((error as WmsError).code).toBe('dataset/invalid-replacements')
      expect((error as WmsError).message).toContain(why)
      expect((error as WmsError).message).toContain('data/training/replacements.yaml')
    }
  })
})
