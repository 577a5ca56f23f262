import type { ReactElement } from 'react'
import type { DataBranch } from '../../store/pipeline-slice.js'

/** The workspace's data branches and whether the remote has them (also those no pipeline has picked up yet). */
export function DataBranchesTable({
  branches,
  merged,
}: {
  branches: DataBranch[]
  /** Branches whose pipeline merged them into main (the pipeline deletes the remote branch then). */
  merged: ReadonlySet<string>
}): ReactElement {
  return (
    <section className="pipeline" aria-labelledby="data-branches-heading">
      <h3 id="data-branches-heading">Data branches</h3>
      <table className="pipeline__table">
        <thead>
          <tr>
            <th scope="col">Branch</th>
            <th scope="col">Submitted</th>
            <th scope="col">Commit</th>
            <th scope="col">Remote</th>
          </tr>
        </thead>
        <tbody>
          {branches.map((branch) => (
            <tr key={branch.branch} data-branch={branch.branch}>
              <td>
                <code>{branch.branch}</code>
                <div className="muted">{branch.subject}</div>
              </td>
              <td>{new Date(branch.committedAt).toLocaleString()}</td>
              <td>
                <code>{branch.commit.slice(0, 8)}</code>
              </td>
              <td>
                {merged.has(branch.branch)
                  ? 'merged into main (branch deleted)'
                  : branch.pushed
                    ? 'pushed'
                    : 'not pushed yet'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
