import type { PipelineRunRecord, QaOutput } from '@wms/shared/pipeline/run-record'
import { resolveWorkspacePath } from '../../workspace/workspace-config-file.js'
import { resolveQaReport } from '../run-inputs.js'
import { writeFileAtomic } from '../../tracking/file-store/fs-util.js'
import { ensureMergedDataset, qaReportFile, type PipelineContext } from '../pipeline-context.js'
import { refuse } from '../verdicts.js'

const KEPT_FINDINGS = 100

/**
 * qa: the same rules as the app and the hook, over the merged dataset (main's pairs are answered from the QA
 * cache by content hash). Errors refuse the branch with the findings; the full report is kept for training to
 * record with its MLflow run.
 */
export async function qaStep(context: PipelineContext, record: PipelineRunRecord): Promise<QaOutput> {
  await ensureMergedDataset(context, record)
  const datasetRoot = resolveWorkspacePath(context.branchTree, context.config.dataset.root)
  const report = await resolveQaReport('dataset', {
    datasetRoot,
    policy: context.config.qa,
    events: context.events,
    env: context.env,
    ...(context.signal === undefined ? {} : { signal: context.signal }),
  })
  if (report === undefined) throw new Error('QA produced no report.')
  await writeFileAtomic(qaReportFile(context), JSON.stringify(report))
  const ordered = [...report.issues].sort((a, b) => rank(a.severity) - rank(b.severity))
  const output: QaOutput = {
    passed: report.passed,
    pairs: report.summary.pairs,
    pairsWithErrors: report.summary.pairsWithErrors,
    errors: report.summary.errors,
    warnings: report.summary.warnings,
    findings: ordered
      .filter((issue) => issue.severity !== 'info')
      .slice(0, KEPT_FINDINGS)
      .map((issue) => ({
        sampleId: issue.sampleId,
        ruleId: issue.ruleId,
        severity: issue.severity,
        message: issue.message,
      })),
  }
  if (!report.passed) {
    const errors = output.findings.filter((finding) => finding.severity === 'error')
    const stop = refuse(
      'qa',
      `${String(output.pairsWithErrors)} pair(s) fail QA (${String(output.errors)} error(s)).`,
      errors.map((finding) => `${finding.sampleId}: ${finding.message}`),
      'Fix or remove these pairs (in the app: Add data shows the same rules and their fixes), then push the branch again.',
    )
    stop.output = output
    throw stop
  }
  return output
}

function rank(severity: string): number {
  return severity === 'error' ? 0 : severity === 'warning' ? 1 : 2
}
