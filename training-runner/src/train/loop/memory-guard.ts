import { WmsError } from '@wms/shared/errors'

/**
 * wasm32 gives the wasm backend at most 4 GiB of heap, and a training step that needs more dies with
 * `RuntimeError: memory access out of bounds` (or an abort) after minutes of work. This refuses such a run up
 * front, with a batch size and an image size that fit. The estimate is linear in batch × pixels: activations,
 * their gradients and the conv-gradient scratch buffers dominate. Calibrated on this implementation by bench:train
 * (peak wasm heap 358 MiB at 128² × 4 and 1,156 MiB at 256² × 4: ≈ 92 MiB + 4.2 KiB per input pixel per image
 * at base 16), with a 25 % margin because the heap only grows and fragments.
 */

/** Usable wasm heap (4 GiB minus room for fragmentation and the runtime). */
export const WASM_HEAP_BUDGET_BYTES = 3.5 * 1024 ** 3

const FIXED_BYTES = 92 * 1024 ** 2
const BYTES_PER_PIXEL_AT_BASE_16 = 4.2 * 1024

/** Estimated peak wasm heap of one training step. */
export function estimateTrainingBytes(batchSize: number, imageSize: number, baseFilters = 16): number {
  return FIXED_BYTES + batchSize * imageSize * imageSize * BYTES_PER_PIXEL_AT_BASE_16 * (baseFilters / 16) * 1.25
}

/** Largest batch that fits at this image size (0 if none). */
export function largestBatchThatFits(imageSize: number, baseFilters = 16, budget = WASM_HEAP_BUDGET_BYTES): number {
  let batch = 0
  while (estimateTrainingBytes(batch + 1, imageSize, baseFilters) <= budget && batch < 1024) batch += 1
  return batch
}

/** Largest image side (a multiple of 16) that fits at this batch size. */
export function largestSizeThatFits(batchSize: number, baseFilters = 16, budget = WASM_HEAP_BUDGET_BYTES): number {
  let size = 16
  while (estimateTrainingBytes(batchSize, size + 16, baseFilters) <= budget && size < 4096) size += 16
  return size
}

/** Throws `training/out-of-memory` when the run cannot fit the wasm heap. No-op for other backends. */
export function assertTrainingFits(
  backend: string,
  batchSize: number,
  imageSize: number,
  baseFilters = 16,
  budget = WASM_HEAP_BUDGET_BYTES,
): void {
  if (backend !== 'wasm') return
  const needed = estimateTrainingBytes(batchSize, imageSize, baseFilters)
  if (needed <= budget) return
  const batch = largestBatchThatFits(imageSize, baseFilters, budget)
  // Passes (micro-batches) are what must fit; the batch itself may be larger (issue 18: gradients accumulate).
  const size = largestSizeThatFits(batchSize, baseFilters, budget)
  const gib = (bytes: number): string => `${(bytes / 1024 ** 3).toFixed(1)} GiB`
  throw new WmsError(
    'training/out-of-memory',
    `A pass of ${String(batchSize)} image(s) at ${String(imageSize)}×${String(imageSize)} needs about ${gib(needed)} of wasm heap; the wasm backend has at most 4 GiB (${gib(budget)} usable).`,
    {
      hint:
        batch > 0
          ? `Use microBatchSize ${String(batch)} at this size (or leave it unset: passes that fit are chosen), or imageSize ${String(size)} (or a GPU host with tfjs-node-gpu).`
          : `Use imageSize ${String(size)} with microBatchSize 1 (or a GPU host with tfjs-node-gpu).`,
      details: { neededBytes: needed, budgetBytes: budget, suggestedBatchSize: batch, suggestedImageSize: size },
    },
  )
}
