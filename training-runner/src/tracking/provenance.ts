import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { parse } from 'yaml'
import type { WorkspaceConfig } from '@wms/shared/config/workspace-config'
import { MLFLOW_TAGS, RUN_TAGS } from '@wms/shared/tracking/tags'
import { openRepo, runGit } from '../adapters/git/run-git.js'
import { RUNNER_VERSION } from '../version.js'

/**
 * Where a training run came from, as run tags: git commit and branch, data version (the md5s of the dataset's
 * `.dvc` pointers — the old system logged none), dataset counts, backend, runner version, CI run.
 */

/** Inputs of {@link collectRunTags} the caller knows. */
export interface RunTagInputs {
  workspaceRoot: string
  config: WorkspaceConfig
  /** TensorFlow.js backend actually used (`tensorflow`, `wasm`, `cpu`, …). */
  backend?: string
  counts?: { total?: number; train?: number; val?: number; test?: number }
  env?: NodeJS.ProcessEnv
}

/** The directory md5 (`<hash>.dir`) a `.dvc` pointer names, or undefined when there is no such file. */
export async function readDvcMd5(file: string): Promise<string | undefined> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return undefined
  }
  const doc = parse(text) as { outs?: { md5?: unknown }[] } | null
  const md5 = doc?.outs?.[0]?.md5
  return typeof md5 === 'string' ? md5 : undefined
}

/** Collects the provenance tags of a run. Missing facts (no git, no `.dvc` yet) are left out, never invented. */
export async function collectRunTags(inputs: RunTagInputs): Promise<Record<string, string>> {
  const tags: Record<string, string> = { [RUN_TAGS.runnerVersion]: RUNNER_VERSION }
  const git = openRepo(inputs.workspaceRoot)
  const sha = await runGit('rev-parse', () => git.revparse(['HEAD'])).catch(() => undefined)
  if (sha !== undefined && /^[0-9a-f]{40}$/.test(sha.trim())) {
    tags[RUN_TAGS.gitSha] = sha.trim()
    tags[MLFLOW_TAGS.gitCommit] = sha.trim()
  }
  const branch = await runGit('rev-parse', () => git.revparse(['--abbrev-ref', 'HEAD'])).catch(() => undefined)
  if (branch !== undefined && branch.trim() !== '' && branch.trim() !== 'HEAD') {
    tags[RUN_TAGS.gitBranch] = branch.trim()
    tags[MLFLOW_TAGS.gitBranch] = branch.trim()
  }
  const datasetRoot = path.join(inputs.workspaceRoot, inputs.config.dataset.root)
  const images = await readDvcMd5(path.join(datasetRoot, 'images.dvc'))
  const masks = await readDvcMd5(path.join(datasetRoot, 'masks.dvc'))
  if (images !== undefined) tags[RUN_TAGS.imagesMd5] = images
  if (masks !== undefined) tags[RUN_TAGS.masksMd5] = masks
  if (images !== undefined || masks !== undefined) {
    tags[RUN_TAGS.dataVersion] = `images=${images ?? 'none'},masks=${masks ?? 'none'}`
  }
  const counts = inputs.counts ?? {}
  const put = (key: string, value: number | undefined) => {
    if (value !== undefined) tags[key] = String(value)
  }
  put(RUN_TAGS.pairsTotal, counts.total)
  put(RUN_TAGS.pairsTrain, counts.train)
  put(RUN_TAGS.pairsVal, counts.val)
  put(RUN_TAGS.pairsTest, counts.test)
  if (inputs.backend !== undefined) tags[RUN_TAGS.backend] = inputs.backend
  const env = inputs.env ?? {}
  if (env.GITHUB_RUN_ID !== undefined) {
    tags[RUN_TAGS.githubRun] =
      env.GITHUB_RUN_NUMBER === undefined ? env.GITHUB_RUN_ID : `${env.GITHUB_RUN_ID}#${env.GITHUB_RUN_NUMBER}`
  }
  return tags
}

/**
 * A readable, unique run name: `<sha7>-<data md5 8>-<UTC yyyymmdd-hhmmss>-<6 random hex>` (`local-…` outside git), so
 * runs of the same commit and data are told apart in the MLflow UI by when they started — and never share a name,
 * even when two start in the same second.
 */
export function runNameFor(
  tags: Record<string, string>,
  now: Date = new Date(),
  // 24 random bits: runs of one commit and data in the same second collide once in millions, not once in fifty.
  suffix: string = randomBytes(3).toString('hex'),
): string {
  const sha = tags[RUN_TAGS.gitSha]?.slice(0, 7) ?? 'local'
  const data = (tags[RUN_TAGS.imagesMd5] ?? 'nodata').slice(0, 8)
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)
  return `${sha}-${data}-${stamp}-${suffix}`
}
