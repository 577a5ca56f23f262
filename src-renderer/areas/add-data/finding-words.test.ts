import { describe, expect, it } from 'vitest'
import { makeIssue } from '@wms/shared/qa/issue'
import { findingWords } from './finding-words.js'

describe('findingWords', () => {
  it('drops the command-line hint and keeps what and why', () => {
    const words = findingWords(makeIssue('mask/lossy', 'a', 'masks/a.jpg is a JPEG mask', { share: 0.02 }))
    expect(words.title).toBe('Lossy mask, thresholded at 127')
    expect(words.sentence).toContain('masks/a.jpg is a JPEG mask.')
    expect(words.sentence).toContain('JPEG compression leaves grey pixels')
    expect(words.sentence).not.toMatch(/training-runner|--fix|`|Fix in the app/)
    expect(words.action).toBe('fix')
    expect(words.numbers).toEqual(['share: 0.02'])
  })

  it('moves statistics behind details and offers the action that resolves the finding', () => {
    const words = findingWords(
      makeIssue(
        'mask/foreground-outlier',
        'b',
        "masks/b.png marks 0.3 % of the picture as foreground; the dataset's median is 2.0 % (robust z -5.2, limit ±3.5)",
      ),
    )
    expect(words.sentence).not.toContain('robust z')
    expect(words.numbers).toContain('robust z -5.2, limit ±3.5')
    expect(words.action).toBe('replace-mask')
    expect(findingWords(makeIssue('duplicate/name-collision', 'c', 'images/c.jpg is taken')).sentence).not.toContain(
      '--replace',
    )
    expect(findingWords(makeIssue('duplicate/name-collision', 'c', 'images/c.jpg is taken')).action).toBe(
      'mark-replacement',
    )
  })
})
