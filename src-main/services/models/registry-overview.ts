import type { WorkspaceConfig } from '@wms/shared/config/workspace-config'
import { toAppError, WmsError } from '@wms/shared/errors'
import type { ModelRegistryOverview, ModelVersionSummary, ProductionEvent } from '@wms/shared/models/model-registry'
import { finalTestMetric } from '@wms/shared/tracking/metrics'
import { RUN_TAGS, VERSION_TAGS } from '@wms/shared/tracking/tags'
import type { ModelVersion, Run } from '@wms/shared/tracking/types'
import { readHistory, type HistoryItem, type TrackingStore } from 'training-runner'

/** What the Models area needs of a version's training run; a finished run never changes, so it is cached. */
export interface RunFacts {
  dice: number | null
  iou: number | null
  dataVersion: string | null
  dataPairs: number | null
  testPairs: number | null
  gitSha: string | null
}

/** Remembers run facts by run id, so reopening the Models area reads only versions that are new. */
export class RunFactsCache {
  private readonly facts = new Map<string, Promise<RunFacts | null>>()

  get(store: TrackingStore, runId: string): Promise<RunFacts | null> {
    const key = `${store.display}\u0000${runId}`
    let found = this.facts.get(key)
    if (found === undefined) {
      found = store.getRun(runId).then(runFacts, () => null)
      // A run that could not be read (registry down) is asked again next time.
      void found.then((facts) => {
        if (facts === null) this.facts.delete(key)
      })
      this.facts.set(key, found)
    }
    return found
  }
}

const READ_CONCURRENCY = 8

/**
 * The registry as the Models area shows it: every version (newest first) with its scores and provenance, the
 * production timeline from the runner's `readHistory` (the history file merged with the registry's tags), and
 * which version is production now and since when. What cannot be read becomes a problem line, not a failure,
 * unless nothing at all could be read.
 */
export async function readRegistryOverview(options: {
  store: TrackingStore
  config: WorkspaceConfig
  workspaceRoot: string
  runs: RunFactsCache
}): Promise<ModelRegistryOverview> {
  const { store, config, workspaceRoot } = options
  const modelName = config.tracking.registeredModel
  const problems: string[] = []
  // The runner's history lists the registry's versions too: one read serves both (200 versions are 200 folders).
  const shared = sharingVersionSearch(store)
  const [listed, history] = await Promise.all([
    listVersions(shared, modelName),
    readHistory({ store: shared, workspaceRoot, config }),
  ])
  const registryProblem = listed.problem ?? history.registryProblem
  if (registryProblem !== undefined) {
    // With the registry down, the history file still says what was production when; with neither, say why.
    if (history.items.length === 0) {
      throw new WmsError('tracking/unavailable', `Cannot read the model registry: ${registryProblem}`, {
        hint: `Check that ${store.display} is reachable (Settings → MLflow → Test connection), then try again.`,
        retryable: true,
      })
    }
    problems.push(`The registry could not be read (${registryProblem}); showing the history file.`)
  }
  const versions = listed.versions
  for (const problem of history.fileProblems)
    problems.push(`History file line ${String(problem.line)} skipped: ${problem.message}`)

  const facts = await mapLimited(versions, READ_CONCURRENCY, (version) =>
    version.runId === undefined ? Promise.resolve(null) : options.runs.get(store, version.runId),
  )
  const current = [...history.items].reverse().find((item) => item.current)
  const productionVersion = history.currentVersion ?? (current === undefined ? null : String(current.version))
  return {
    modelName,
    store: { kind: store.kind, display: store.display },
    versions: versions.map((version, index) => summarise(version, facts[index] ?? null)),
    productionVersion,
    productionSince: current?.timestamp ?? null,
    history: history.items.map(toEvent),
    problems,
  }
}

async function listVersions(
  store: TrackingStore,
  modelName: string,
): Promise<{ versions: ModelVersion[]; problem?: string }> {
  try {
    return { versions: await store.searchModelVersions(modelName) }
  } catch (thrown) {
    // No registered model yet: nothing was promoted. Anything else is the registry failing, said as such.
    if (thrown instanceof WmsError && thrown.code === 'tracking/not-found') return { versions: [] }
    return { versions: [], problem: toAppError(thrown).message }
  }
}

/** The store, with `searchModelVersions` asked once per model and shared by every caller of this wrapper. */
function sharingVersionSearch(store: TrackingStore): TrackingStore {
  const searches = new Map<string, Promise<ModelVersion[]>>()
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'searchModelVersions') {
        return (name: string, filter?: { runId?: string }) => {
          if (filter !== undefined) return target.searchModelVersions(name, filter)
          let found = searches.get(name)
          if (found === undefined) {
            found = target.searchModelVersions(name)
            searches.set(name, found)
          }
          return found
        }
      }
      const value: unknown = Reflect.get(target, property, receiver)
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value
    },
  })
}

/** Facts of a training run: final test scores, the data it was trained on, and the commit. */
export function runFacts(run: Run): RunFacts {
  const metric = (key: string): number | null => {
    const value = run.metrics[key]?.value
    return value === undefined || !Number.isFinite(value) ? null : value
  }
  return {
    dice: metric(finalTestMetric('dice')),
    iou: metric(finalTestMetric('iou')),
    dataVersion: run.tags[RUN_TAGS.dataVersion] ?? null,
    dataPairs: count(run.tags[RUN_TAGS.pairsTotal]),
    testPairs: count(run.tags[RUN_TAGS.pairsTest]),
    gitSha: run.tags[RUN_TAGS.gitSha] ?? null,
  }
}

/** One version for the table: the gate's numbers from its tags first (what promoted it), else its run's. */
export function summarise(version: ModelVersion, facts: RunFacts | null): ModelVersionSummary {
  const tags = version.tags
  const tagNumber = (key: string): number | null => {
    const value = Number(tags[key])
    return tags[key] === undefined || tags[key] === '' || !Number.isFinite(value) ? null : value
  }
  const pr = tagNumber(VERSION_TAGS.prNumber)
  return {
    version: version.version,
    runId: version.runId ?? null,
    createdAt: version.creationTimestamp,
    dice: tagNumber(VERSION_TAGS.gateCandidateDice) ?? facts?.dice ?? null,
    iou: tagNumber(VERSION_TAGS.gateCandidateIou) ?? facts?.iou ?? null,
    baselineDice: tagNumber(VERSION_TAGS.gateBaselineDice),
    baselineIou: tagNumber(VERSION_TAGS.gateBaselineIou),
    gateOutcome: tags[VERSION_TAGS.gateOutcome] ?? null,
    dataVersion: tags[VERSION_TAGS.dataVersion] ?? facts?.dataVersion ?? null,
    dataPairs: facts?.dataPairs ?? null,
    testPairs: tagNumber(VERSION_TAGS.gateTestImages) ?? facts?.testPairs ?? null,
    sourceBranch: tags[VERSION_TAGS.sourceBranch] ?? null,
    pr: pr !== null && Number.isInteger(pr) && pr > 0 ? pr : null,
    gitSha: tags[VERSION_TAGS.dataGitSha] ?? facts?.gitSha ?? null,
    promotedAt: tags[VERSION_TAGS.promotedAt] ?? null,
    rolledBackAt: tags[VERSION_TAGS.rolledBackAt] ?? null,
    rollbackReason: tags[VERSION_TAGS.rollbackReason] ?? null,
  }
}

function toEvent(item: HistoryItem): ProductionEvent {
  return {
    event: item.event,
    version: item.version,
    timestamp: item.timestamp,
    previousVersion: item.previousVersion,
    dice: item.dice,
    iou: item.iou,
    reason: item.reason ?? null,
    source: item.source,
    current: item.current,
  }
}

function count(value: string | undefined): number | null {
  const number = Number(value)
  return value === undefined || !Number.isInteger(number) || number < 0 ? null : number
}

/** `fn` over `items` with at most `limit` at a time, results in order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length)
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next
      next += 1
      results[index] = await fn(items[index] as T)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane))
  return results
}
