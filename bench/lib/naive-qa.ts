import { discoverPairs, fullDecodeQa } from 'training-runner'
import type { QaReport } from '@wms/shared/qa/report'

/**
 * The baseline the QA engine is measured against: what a straightforward implementation does — one pair after
 * the other, every photo and mask fully decoded, no cache, no worker (the reference QA that the verdict-equality
 * test also runs). It reaches the same verdicts; it is only slower.
 */
export async function naiveQa(dir: string): Promise<QaReport> {
  const found = await discoverPairs([dir])
  return fullDecodeQa({ pairs: found.pairs, pairingProblems: found.problems })
}
