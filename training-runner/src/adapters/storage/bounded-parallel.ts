import pLimit from 'p-limit'

/**
 * Runs `task` over `items` with at most `concurrency` at once. After the first failure nothing new starts; the
 * tasks already running are awaited, then the first error is thrown — so no transfer is still writing when the
 * caller sees the failure (a rerun never races a straggler).
 */
export async function forEachBounded<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  const limit = pLimit(Math.max(1, concurrency))
  let failure: { error: unknown } | undefined
  await Promise.all(
    items.map((item, index) =>
      limit(async () => {
        if (failure !== undefined) return
        try {
          await task(item, index)
        } catch (error) {
          // Queued tasks see this and return at once (p-limit's clearQueue would leave them pending forever).
          failure ??= { error }
        }
      }),
    ),
  )
  if (failure !== undefined) throw failure.error
}
