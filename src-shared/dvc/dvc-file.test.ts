import { describe, expect, it } from 'vitest'
import { WmsError } from '../errors.js'
import { dirDvcFile, parseDvcFile, serializeDvcFile, singleOut } from './dvc-file.js'

// Written by real DVC 3 for ../shared/fixtures/dvc-example/images.
const DVC_IMAGES = `outs:
- md5: 2d72dda548075b9b8efee99a387372b6.dir
  size: 2388117
  nfiles: 9
  hash: md5
  path: images
`

describe('.dvc files', () => {
  it('parses what DVC 3 writes', () => {
    const out = singleOut(parseDvcFile(DVC_IMAGES, 'images.dvc'), 'images.dvc')
    expect(out).toEqual({
      md5: '2d72dda548075b9b8efee99a387372b6.dir',
      size: 2388117,
      nfiles: 9,
      hash: 'md5',
      path: 'images',
    })
  })

  it('writes byte-identical text', () => {
    const file = dirDvcFile({ md5: '2d72dda548075b9b8efee99a387372b6.dir', size: 2388117, nfiles: 9, path: 'images' })
    expect(serializeDvcFile(file)).toBe(DVC_IMAGES)
    expect(serializeDvcFile(parseDvcFile(DVC_IMAGES, 'images.dvc'))).toBe(DVC_IMAGES)
  })

  it('keeps fields it does not know, after the known ones', () => {
    const text = `outs:\n- md5: d751713988987e9331980363e24189ce.dir\n  size: 0\n  nfiles: 0\n  hash: md5\n  path: masks\n  desc: binary masks\n  remote: s3\nfrozen: true\n`
    expect(serializeDvcFile(parseDvcFile(text, 'masks.dvc'))).toBe(text)
  })

  it('writes a file output without nfiles', () => {
    const text = serializeDvcFile({ outs: [{ md5: 'a'.repeat(32), size: 3, hash: 'md5', path: 'a b.txt' }] })
    expect(text).toBe(`outs:\n- md5: ${'a'.repeat(32)}\n  size: 3\n  hash: md5\n  path: a b.txt\n`)
  })

  it.each([
    ['outs: [', 'not valid YAML'],
    ['foo: 1', 'outs'],
    ['outs:\n- md5: nothex\n  size: 1\n  hash: md5\n  path: x', 'md5'],
    ['outs:\n- md5: d751713988987e9331980363e24189ce.dir\n  size: 0\n  hash: sha256\n  path: x', 'expected "md5"'],
    ['outs:\n- md5: d751713988987e9331980363e24189ce.dir\n  size: 0\n  path: x', 'DVC 2'],
  ])('refuses %j', (text, why) => {
    try {
      parseDvcFile(text, 'images.dvc')
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(WmsError)
      expect((error as WmsError).code).toBe('dataset/invalid-manifest')
      expect((error as WmsError).message).toContain(why)
    }
  })

  it('insists on one output for a tracked folder', () => {
    const two = parseDvcFile(`${DVC_IMAGES}- md5: ${'a'.repeat(32)}\n  size: 1\n  hash: md5\n  path: x\n`, 'two.dvc')
    expect(() => singleOut(two, 'two.dvc')).toThrow(/exactly one output/)
  })
})
