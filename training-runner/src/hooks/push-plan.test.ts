import { describe, expect, it } from 'vitest'
import {
  classifyChanges,
  dataPaths,
  isDataPath,
  mainUpdate,
  parsePushLines,
  parseRawDiff,
  transientDataPaths,
} from './push-plan.js'

const A = 'a'.repeat(40)
const B = 'b'.repeat(40)
const ZERO = '0'.repeat(40)

describe('push plan', () => {
  it('finds the update of main, ignoring a deletion of main and other refs', () => {
    const lines = parsePushLines(
      `refs/heads/x ${A} refs/heads/x ${ZERO}\nrefs/heads/main ${A} refs/heads/main ${B}\nnot a line\n`,
    )
    expect(lines).toHaveLength(2)
    expect(mainUpdate(lines)).toEqual({
      localRef: 'refs/heads/main',
      localSha: A,
      remoteRef: 'refs/heads/main',
      remoteSha: B,
    })
    expect(mainUpdate(parsePushLines(`(delete) ${ZERO} refs/heads/main ${B}\n`))).toBeUndefined()
  })

  it.each([
    ['data/training', 'data/training/images/a.jpg', true],
    ['data/training/', 'data/training/masks/sub/a.png', true],
    ['./data/training', 'data/training/replacements.yaml', true],
    ['data/training', 'data/training/images.dvc', false],
    ['data/training', 'data/training-old/images/a.jpg', false],
    ['', 'images/a.jpg', true],
    ['.', 'masks/a.png', true],
    ['data/training', 'docs/images/a.png', false],
  ])('root %s: %s is data: %s', (root, file, expected) => {
    expect(isDataPath(dataPaths(root), file)).toBe(expected)
  })

  it('parses raw diffs with renames and sorts them by what the hook does', () => {
    const raw = [
      `:000000 100644 ${ZERO} ${A} A`,
      'data/training/images/new.jpg',
      `:100644 100644 ${A} ${A} R100`,
      'data/training/images/old.jpg',
      'data/training/images/moved.jpg',
      `:100644 000000 ${A} ${ZERO} D`,
      'data/training/masks/gone.png',
      `:100644 100644 ${A} ${B} M`,
      'data/training/masks/redrawn.png',
      `:100644 100644 ${A} ${B} M`,
      'src/code.ts',
      `:100644 100644 ${A} ${A} R090`,
      'notes/photo.jpg',
      'data/training/images/from-notes.jpg',
      '',
    ].join('\0')
    const content = classifyChanges(parseRawDiff(raw), dataPaths('data/training'))
    expect(content).toEqual({
      newData: [
        { path: 'data/training/images/new.jpg', blob: A, mode: '100644' },
        { path: 'data/training/images/from-notes.jpg', blob: A, mode: '100644' },
      ],
      removed: ['data/training/masks/gone.png'],
      renamed: [{ from: 'data/training/images/old.jpg', to: 'data/training/images/moved.jpg' }],
      changed: ['data/training/masks/redrawn.png'],
      other: ['src/code.ts', 'notes/photo.jpg'],
    })
    expect(transientDataPaths(['data/training/images/new.jpg', 'data/training/images/tmp.jpg', ''], content)).toEqual([
      'data/training/images/tmp.jpg',
    ])
  })
})
