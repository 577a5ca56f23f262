import type { Metric, ModelVersion, RegisteredModel, Run, RunInfo } from '@wms/shared/tracking/types'

/** The MLflow test server's JSON shapes, as MLflow serialises them (empty fields omitted, NaN as a string). */

export function metricJson(metric: Metric): Record<string, unknown> {
  const value = Number.isNaN(metric.value)
    ? 'NaN'
    : metric.value === Infinity
      ? 'Infinity'
      : metric.value === -Infinity
        ? '-Infinity'
        : metric.value
  return { key: metric.key, value, timestamp: metric.timestamp, step: metric.step }
}

export function tagList(tags: Record<string, string>): { key: string; value: string }[] | undefined {
  const list = Object.entries(tags).map(([key, value]) => ({ key, value }))
  return list.length === 0 ? undefined : list
}

export function runInfoJson(info: RunInfo): Record<string, unknown> {
  return {
    run_uuid: info.runId,
    experiment_id: info.experimentId,
    run_name: info.runName,
    user_id: info.userId,
    status: info.status,
    start_time: info.startTime,
    ...(info.endTime === undefined ? {} : { end_time: info.endTime }),
    artifact_uri: info.artifactUri,
    lifecycle_stage: info.lifecycleStage,
    run_id: info.runId,
  }
}

export function runJson(run: Run): Record<string, unknown> {
  const metrics = Object.values(run.metrics).map(metricJson)
  const params = tagList(run.params)
  const tags = tagList(run.tags)
  return {
    info: runInfoJson(run.info),
    data: {
      ...(metrics.length === 0 ? {} : { metrics }),
      ...(params === undefined ? {} : { params }),
      ...(tags === undefined ? {} : { tags }),
    },
    inputs: {},
  }
}

export function versionJson(version: ModelVersion, withAliases: boolean): Record<string, unknown> {
  const tags = tagList(version.tags)
  return {
    name: version.name,
    version: version.version,
    creation_timestamp: version.creationTimestamp,
    last_updated_timestamp: version.lastUpdatedTimestamp,
    current_stage: version.currentStage,
    ...(version.description === undefined ? {} : { description: version.description }),
    source: version.source,
    ...(version.runId === undefined ? {} : { run_id: version.runId }),
    status: version.status,
    run_link: '',
    ...(tags === undefined ? {} : { tags }),
    ...(withAliases && version.aliases.length > 0 ? { aliases: version.aliases } : {}),
  }
}

export function modelJson(model: RegisteredModel, latest: ModelVersion[]): Record<string, unknown> {
  const tags = tagList(model.tags)
  const aliases = Object.entries(model.aliases).map(([alias, version]) => ({ alias, version }))
  return {
    name: model.name,
    creation_timestamp: model.creationTimestamp,
    last_updated_timestamp: model.lastUpdatedTimestamp,
    ...(model.description === undefined ? {} : { description: model.description }),
    ...(latest.length === 0 ? {} : { latest_versions: latest.map((version) => versionJson(version, false)) }),
    ...(tags === undefined ? {} : { tags }),
    ...(aliases.length === 0 ? {} : { aliases }),
  }
}
