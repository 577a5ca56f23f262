import { describe, expect, it } from 'vitest'
import { ReadBuffers } from './read-buffers.js'

describe('read buffers', () => {
  it('lends a buffer of the asked size and lends its memory again once given back', () => {
    const buffers = new ReadBuffers(2)
    const first = buffers.borrow(1000)
    expect(first.length).toBe(1000)
    first.fill(7)
    buffers.release(first.subarray(0, 10))
    const second = buffers.borrow(5000)
    expect(second.length).toBe(5000)
    expect(second.buffer).toBe(first.buffer)
  })

  it('never lends memory that is still lent, and ignores buffers it did not lend', () => {
    const buffers = new ReadBuffers(4)
    const a = buffers.borrow(100)
    const b = buffers.borrow(100)
    expect(b.buffer).not.toBe(a.buffer)
    buffers.release(Buffer.alloc(100))
    buffers.release(a)
    buffers.release(a)
    const c = buffers.borrow(100)
    const d = buffers.borrow(100)
    expect(c.buffer).toBe(a.buffer)
    expect(d.buffer).not.toBe(a.buffer)
    expect(d.buffer).not.toBe(b.buffer)
  })

  it('grows a kept buffer for a larger file and keeps no more than asked', () => {
    const buffers = new ReadBuffers(1)
    const small = buffers.borrow(10)
    buffers.release(small)
    const large = buffers.borrow(3 << 20)
    expect(large.length).toBe(3 << 20)
    expect(large.buffer).not.toBe(small.buffer)
    const other = buffers.borrow(10)
    buffers.release(large)
    buffers.release(other)
    expect(buffers.borrow(3 << 20).buffer).toBe(large.buffer)
  })
})
