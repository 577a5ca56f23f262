import { describe, expect, it } from 'vitest'
import { mlflowInUse, runnerTrackingEnv, trackingEnvFor, withoutCredentials } from './mlflow-target.js'

const WORKSPACE = {
  root: '/work/space',
  tracking: { uri: 'http://team:5000', experiment: 'e', registeredModel: 'm' },
}

describe('which MLflow the app reads', () => {
  it('puts a saved address in as MLFLOW_TRACKING_URI, and nothing when the account follows the workspace', () => {
    const env = { MLFLOW_TRACKING_URI: 'http://shell:5000', HOME: '/home/ann' }
    expect(trackingEnvFor({ url: 'https://mine:5000' }, env)).toEqual({
      ...env,
      MLFLOW_TRACKING_URI: 'https://mine:5000',
    })
    expect(trackingEnvFor({ url: null }, env)).toBe(env)
    expect(trackingEnvFor(undefined, env)).toBe(env)
  })

  it('gives the local runner one login as MLflow’s variables, never mixed with the shell’s', () => {
    const shell = { MLFLOW_TRACKING_TOKEN: 'shell-token', PATH: '/bin' }
    expect(runnerTrackingEnv({ url: null, auth: { kind: 'basic', username: 'ann', password: 'pw' } }, shell)).toEqual({
      PATH: '/bin',
      MLFLOW_TRACKING_TOKEN: undefined,
      MLFLOW_TRACKING_USERNAME: 'ann',
      MLFLOW_TRACKING_PASSWORD: 'pw',
    })
    // No stored login: what the shell gave stays (as for the CLI in CI).
    expect(runnerTrackingEnv({ url: 'https://mine', auth: undefined }, shell)).toEqual({
      ...shell,
      MLFLOW_TRACKING_URI: 'https://mine',
    })
  })

  it('names the source: Settings, then MLFLOW_TRACKING_URI, then the workspace config', () => {
    expect(mlflowInUse({ url: 'https://bob:pw@mine/' }, WORKSPACE, {})).toEqual({
      uri: 'https://mine',
      source: 'settings',
    })
    expect(mlflowInUse({ url: null }, WORKSPACE, { MLFLOW_TRACKING_URI: './runs' })).toEqual({
      uri: 'file:///work/space/runs',
      source: 'environment',
    })
    expect(mlflowInUse(undefined, WORKSPACE, {})).toEqual({ uri: 'http://team:5000', source: 'config' })
    // A variable this client cannot use is still named (opening the store says why it fails).
    expect(mlflowInUse(undefined, WORKSPACE, { MLFLOW_TRACKING_URI: 'sqlite:///x.db' })).toEqual({
      uri: 'sqlite:///x.db',
      source: 'environment',
    })
  })

  it('shows an address without the credentials in it', () => {
    expect(withoutCredentials('https://bob:secret@mlflow.example/prefix/')).toBe('https://mlflow.example/prefix')
    expect(withoutCredentials('file:../mlruns')).toBe('file:../mlruns')
  })
})
