import { describe, expect, it } from 'vitest'
import { RUN_TAGS } from '@wms/shared/tracking/tags'
import { runNameFor } from './provenance.js'

describe('runNameFor', () => {
  const tags = { [RUN_TAGS.gitSha]: 'a1b2c3d4e5f6'.padEnd(40, '0'), [RUN_TAGS.imagesMd5]: '9f8e7d6c5b4a.dir' }

  it('says which commit, which data and when, readably', () => {
    expect(runNameFor(tags, new Date('2026-03-15T14:22:33.456Z'), 'k7q2')).toBe('a1b2c3d-9f8e7d6c-20260315-142233-k7q2')
    expect(runNameFor({}, new Date('2026-03-15T14:22:33Z'), 'zz00')).toBe('local-nodata-20260315-142233-zz00')
  })

  it('never gives two runs of the same commit and data the same name, even in the same second', () => {
    const now = new Date('2026-03-15T14:22:33Z')
    const names = new Set(Array.from({ length: 50 }, () => runNameFor(tags, now)))
    expect(names.size).toBe(50)
  })
})
