import { describe, expect, it } from 'vitest'
import { dataBranchName, placeDroppedFile, submissionMessage } from './dataset-layout.js'

describe('placeDroppedFile', () => {
  it.each([
    ['incoming/images/id_1.jpg', 'images/id_1.jpg'],
    ['incoming/masks/id_1.png', 'masks/id_1.png'],
    ['C:\\data\\Masks\\id_2.PNG', 'masks/id_2.PNG'],
    ['set/images/sub/id_3.jpg', 'images/sub/id_3.jpg'],
    ['photos/masks/id_4.png', 'masks/id_4.png'],
    ['id_49_image.jpg', 'images/id_49.jpg'],
    ['id_49_mask.png', 'masks/id_49.png'],
    ['drop/meter-7-img.jpeg', 'images/meter-7.jpeg'],
  ])('places %s at %s', (dropped, relpath) => {
    expect(placeDroppedFile(dropped)).toEqual({ ok: true, relpath })
  })

  it('refuses a loose file whose name does not say image or mask', () => {
    expect(placeDroppedFile('downloads/id_5.jpg')).toEqual({ ok: false, reason: 'unknown-role', name: 'id_5.jpg' })
  })
})

describe('dataBranchName', () => {
  it('is data/YYYYMMDD-HHMMSS in UTC, with a suffix on a clash', () => {
    const date = new Date(Date.UTC(2026, 10, 27, 9, 5, 3))
    expect(dataBranchName(date)).toBe('data/20261127-090503')
    expect(dataBranchName(date, 2)).toBe('data/20261127-090503-2')
  })
})

describe('submissionMessage', () => {
  it('says how many pairs, fixes and warnings', () => {
    expect(submissionMessage(1, 0, 0).split('\n')[0]).toBe('data: add 1 new training pair')
    const message = submissionMessage(12, 3, 2)
    expect(message).toContain('data: add 12 new training pairs')
    expect(message).toContain('3 pairs normalised')
    expect(message).toContain('2 pairs pushed with QA warnings')
  })
})
