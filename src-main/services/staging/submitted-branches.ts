import { createHash } from 'node:crypto'
import { STAGING_RULES } from '@wms/shared/staging/staging-rules'
import type { StagedIssue, StagedPair } from '@wms/shared/staging/staging-types'
import { listDataBranches, openRepo, runGit } from 'training-runner'

/** Where the index looks: the workspace, its dataset folder and the remote the data branches go to. */
export interface SubmittedBranchesOptions {
  workspaceRoot: string
  datasetRoot: string
  remote?: string
}

/**
 * The photos on data branches that were pushed and are not merged yet (the pipeline deletes a branch once it has
 * merged it), by content hash. A pair staged again after its push is "already submitted", the way a pair already
 * in the dataset is. Git's blob ids are mapped to MD5 once each (a branch holds the photos as plain files).
 */
export class SubmittedBranches {
  private byMd5 = new Map<string, string>()
  private readonly md5OfBlob = new Map<string, string>()
  private running: Promise<boolean> | undefined
  private again = false
  /** Bumped whenever the set of submitted photos changes (cache key of the pairs' views). */
  version = 0

  constructor(private readonly options: SubmittedBranchesOptions) {}

  /** The pushed, unmerged data branch that holds a photo with this MD5, if any. */
  branchOf(md5: string): string | undefined {
    return this.byMd5.get(md5)
  }

  /** The finding for a staged pair whose photo is on such a branch. */
  issueFor(pair: StagedPair): StagedIssue | undefined {
    const branch = pair.image === null ? undefined : this.branchOf(pair.image.md5)
    if (branch === undefined || pair.image === null) return undefined
    const spec = STAGING_RULES['staging/already-submitted']
    return {
      ruleId: 'staging/already-submitted',
      severity: spec.severity,
      sampleId: pair.id,
      message: `${pair.image.relpath} was already submitted on ${branch}. ${spec.why} ${spec.action}`,
      details: { branch },
      fixable: spec.fixable,
    }
  }

  /**
   * Reads the pushed data branches again; resolves true when the set changed. Calls while one runs are folded into
   * one more run after it. Failures (no remote, offline) leave the last known set: the index is a convenience.
   */
  refresh(): Promise<boolean> {
    if (this.running !== undefined) {
      this.again = true
      return this.running
    }
    this.running = this.read()
      .catch(() => false)
      .finally(() => {
        this.running = undefined
        if (this.again) {
          this.again = false
          void this.refresh()
        }
      })
    return this.running
  }

  private async read(): Promise<boolean> {
    const { workspaceRoot, datasetRoot, remote } = this.options
    const git = openRepo(workspaceRoot)
    const branches = (await listDataBranches(workspaceRoot, remote)).filter((branch) => branch.pushed)
    const next = new Map<string, string>()
    for (const branch of branches) {
      const listing = await runGit('ls-tree', () =>
        git.raw(['ls-tree', '-r', branch.commit, '--', `${datasetRoot}/images/`]),
      )
      for (const line of listing.split('\n')) {
        const blob = /^\d+ blob ([0-9a-f]+)\t/.exec(line)?.[1]
        if (blob === undefined) continue
        let md5 = this.md5OfBlob.get(blob)
        if (md5 === undefined) {
          // simple-git types binaryCatFile's answer as any; it is the blob's bytes.
          const bytes = await runGit('cat-file', () => git.binaryCatFile(['blob', blob]) as Promise<Buffer>)
          md5 = createHash('md5').update(bytes).digest('hex')
          this.md5OfBlob.set(blob, md5)
        }
        if (!next.has(md5)) next.set(md5, branch.branch)
      }
    }
    const changed = next.size !== this.byMd5.size || [...next].some(([md5, name]) => this.byMd5.get(md5) !== name)
    this.byMd5 = next
    if (changed) this.version += 1
    return changed
  }
}
