/**
 * The branch the pipeline's pull request comes from: `wms/publish/<data branch>`, holding only the publish commit
 * (merged `.dvc` files, `model-metadata.json`, the history line) on top of main. The data branch itself never
 * becomes a PR: its raw images must not reach main, and its name would match the pipeline's `data/**` trigger.
 */
export function publishBranchName(dataBranch: string): string {
  return `wms/publish/${dataBranch}`
}
