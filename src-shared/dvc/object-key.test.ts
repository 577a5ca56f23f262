import { describe, expect, it } from 'vitest'
import { contentMd5, isDirHash, isObjectHash, objectHashFromKey, remoteObjectKey } from './object-key.js'

describe('remote object keys (DVC 3 layout)', () => {
  it('puts files and .dir objects under files/md5/<2>/<30>', () => {
    expect(remoteObjectKey('2d72dda548075b9b8efee99a387372b6.dir')).toBe(
      'files/md5/2d/72dda548075b9b8efee99a387372b6.dir',
    )
    expect(remoteObjectKey('0123456789abcdef0123456789abcdef')).toBe('files/md5/01/23456789abcdef0123456789abcdef')
  })

  it('refuses anything that is not a hash, so no manifest can choose a path', () => {
    expect(() => remoteObjectKey('../../etc/passwd')).toThrow(RangeError)
    expect(() => remoteObjectKey('0123456789ABCDEF0123456789ABCDEF')).toThrow(RangeError)
  })

  it('reads the hash back from a key, with or without a prefix', () => {
    expect(objectHashFromKey('dvc/files/md5/2d/72dda548075b9b8efee99a387372b6.dir')).toBe(
      '2d72dda548075b9b8efee99a387372b6.dir',
    )
    expect(objectHashFromKey('files/md5/01/23456789abcdef0123456789abcdef')).toBe('0123456789abcdef0123456789abcdef')
    expect(objectHashFromKey('files/md5/01/tmp')).toBeUndefined()
  })

  it('tells directory hashes from file hashes', () => {
    expect(isDirHash('d751713988987e9331980363e24189ce.dir')).toBe(true)
    expect(isDirHash('d751713988987e9331980363e24189ce')).toBe(false)
    expect(isObjectHash('d751713988987e9331980363e24189ce.dir')).toBe(true)
    expect(contentMd5('d751713988987e9331980363e24189ce.dir')).toBe('d751713988987e9331980363e24189ce')
  })
})
