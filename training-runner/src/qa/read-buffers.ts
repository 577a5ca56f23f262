/**
 * Reusable read buffers for QA's probes. A fresh buffer per file costs more than the read itself on this kind of
 * machine: a few hundred kilobytes come from malloc as fresh pages (one page fault per 4 KB, each expensive under
 * virtualisation) and go back to the system when freed (measured: ~0.95 ms of CPU to read a 250 KB photo into a
 * new buffer, ~0.07 ms into a reused one). A probe borrows a buffer, and gives it back once nothing reads it any
 * more; a buffer that something may still read (a decode that ran past its time limit) is simply never given back.
 */

/** Smallest buffer kept: a phone photo and its mask fit, so most buffers never grow. */
const MIN_CAPACITY = 1 << 20
/** Files above this are read into a buffer of their own (rare; keeping such buffers would hold memory). */
const MAX_POOLED = 8 << 20

export class ReadBuffers {
  private readonly free: Buffer[] = []
  /** Buffers lent out, by their memory (any view of a lent buffer finds it). */
  private readonly lent = new Map<ArrayBufferLike, Buffer>()

  /** @param keep free buffers kept at most (about the number of files read side by side). */
  constructor(private readonly keep = 16) {}

  /** A buffer of exactly `size` bytes (contents undefined), to give back with {@link release}. */
  borrow(size: number): Buffer {
    if (size > MAX_POOLED) return Buffer.allocUnsafeSlow(size)
    let index = this.free.findIndex((buffer) => buffer.length >= size)
    if (index < 0 && this.free.length > 0) index = this.free.length - 1
    const pooled =
      index < 0 || (this.free[index]?.length ?? 0) < size
        ? Buffer.allocUnsafeSlow(Math.max(MIN_CAPACITY, nextPowerOfTwo(size)))
        : (this.free[index] as Buffer)
    if (index >= 0) this.free.splice(index, 1)
    this.lent.set(pooled.buffer, pooled)
    return pooled.subarray(0, size)
  }

  /** Takes back a buffer from {@link borrow} (or a view of it); it must no longer be read. Others are ignored. */
  release(view: Uint8Array): void {
    const pooled = this.lent.get(view.buffer)
    if (pooled === undefined) return
    this.lent.delete(view.buffer)
    if (this.free.length < this.keep) this.free.push(pooled)
  }
}

function nextPowerOfTwo(size: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, size)))
}
