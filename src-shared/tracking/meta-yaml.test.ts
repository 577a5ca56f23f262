import { describe, expect, it } from 'vitest'
import {
  dumpMetaYaml,
  experimentFromMeta,
  loadMetaYaml,
  modelVersionFromMeta,
  modelVersionMetaDoc,
  runInfoFromMeta,
  runMetaDoc,
} from './meta-yaml.js'
import { keyProblem, aliasProblem, flattenParams, chunk } from './keys.js'
import { latestMetrics } from './types.js'

describe('meta.yaml', () => {
  it('writes a run meta.yaml with sorted keys, int status and quoted ids', () => {
    const text = dumpMetaYaml(
      runMetaDoc({
        runId: '77aef1ee3d384b9c8e8b7bd15c98dd0c',
        experimentId: '866603573237349263',
        runName: 'yes',
        userId: '',
        status: 'FINISHED',
        startTime: 1795764149900,
        endTime: 1795764149923,
        artifactUri: 'file:///data/mlruns/866603573237349263/77aef1ee3d384b9c8e8b7bd15c98dd0c/artifacts',
        lifecycleStage: 'active',
      }),
    )
    expect(text).toBe(
      [
        'artifact_uri: file:///data/mlruns/866603573237349263/77aef1ee3d384b9c8e8b7bd15c98dd0c/artifacts',
        'end_time: 1795764149923',
        "entry_point_name: ''",
        "experiment_id: '866603573237349263'",
        'lifecycle_stage: active',
        'run_id: 77aef1ee3d384b9c8e8b7bd15c98dd0c',
        "run_name: 'yes'",
        'run_uuid: 77aef1ee3d384b9c8e8b7bd15c98dd0c',
        "source_name: ''",
        'source_type: 4',
        "source_version: ''",
        'start_time: 1795764149900',
        'status: 3',
        'tags: []',
        "user_id: ''",
        '',
      ].join('\n'),
    )
  })

  it('reads what MLflow writes, including int ids and a missing status', () => {
    const run = runInfoFromMeta(
      loadMetaYaml(
        'artifact_uri: file:///x\nend_time: null\nexperiment_id: 866603573237349263123\nlifecycle_stage: active\nrun_uuid: abc\nstart_time: 5\nuser_id: root\n',
      ),
    )
    expect(run).toMatchObject({
      runId: 'abc',
      experimentId: '866603573237349263123',
      status: 'RUNNING',
      userId: 'root',
    })
    expect(run.endTime).toBeUndefined()
    const experiment = experimentFromMeta(
      loadMetaYaml('artifact_location: file:///x/0\nexperiment_id: 0\nlifecycle_stage: active\nname: Default\n'),
    )
    expect(experiment).toMatchObject({ experimentId: '0', name: 'Default' })
  })

  it('round-trips a model version and recognises deleted ones', () => {
    const doc = modelVersionMetaDoc({
      name: 'm',
      version: '2',
      creationTimestamp: 1,
      lastUpdatedTimestamp: 2,
      currentStage: 'Production',
      source: 'file:///x/model',
      runId: 'r1',
      status: 'READY',
      aliases: ['production'],
    })
    expect(doc.version).toBe(2)
    const back = modelVersionFromMeta(loadMetaYaml(dumpMetaYaml(doc)))
    expect(back).toMatchObject({ name: 'm', version: '2', currentStage: 'Production', runId: 'r1', deleted: false })
    expect(modelVersionFromMeta({ ...doc, current_stage: 'Deleted_Internal' }).deleted).toBe(true)
  })
})

describe('keys and params', () => {
  it.each([
    ['loss', undefined],
    ['train/dice', undefined],
    ['a b.c-d_e', undefined],
    ['../escape', 'segments'],
    ['/abs', 'start or end'],
    ['a//b', 'segments'],
    ['semi;colon', 'may contain only'],
    ['', 'empty'],
  ])('key %j', (key, problem) => {
    const found = keyProblem(key)
    if (problem === undefined) expect(found).toBeUndefined()
    else expect(found).toContain(problem)
  })

  it('rejects reserved aliases', () => {
    expect(aliasProblem('production')).toBeUndefined()
    expect(aliasProblem('Latest')).toContain('reserved')
    expect(aliasProblem('v1')).toContain('reserved')
  })

  it('flattens a config into sorted dotted params', () => {
    expect(flattenParams({ b: 1, a: { y: [1, 2], x: null, z: true } })).toEqual({
      'a.x': 'null',
      'a.y': '[1,2]',
      'a.z': 'true',
      b: '1',
    })
    expect(chunk([1, 2, 3], 2)).toEqual([[1, 2], [3]])
  })

  it('picks the latest metric by (step, timestamp, value)', () => {
    const latest = latestMetrics([
      { key: 'l', value: 0.5, timestamp: 10, step: 1 },
      { key: 'l', value: 0.9, timestamp: 5, step: 2 },
      { key: 'l', value: 0.1, timestamp: 4, step: 2 },
    ])
    expect(latest.l?.value).toBe(0.9)
  })
})
