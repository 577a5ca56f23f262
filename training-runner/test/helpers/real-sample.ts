import { existsSync } from 'node:fs'
import path from 'node:path'

/**
 * The real sample pairs (`shared/datasets/wms-sample`, never copied into the repo), looked up next to the checkout:
 * `../shared` from the repository root (the lead's checkout) or `../../shared` (a worktree under `wt/`).
 * Undefined where neither exists, e.g. in a clean clone elsewhere: callers skip and say why.
 */
export function realSampleDir(repoRoot = path.resolve(import.meta.dirname, '../../..')): string | undefined {
  const candidates = [path.resolve(repoRoot, '../shared'), path.resolve(repoRoot, '../../shared')]
  return candidates.map((shared) => path.join(shared, 'datasets/wms-sample')).find((dir) => existsSync(dir))
}
