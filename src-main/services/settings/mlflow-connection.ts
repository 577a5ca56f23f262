import type { ConnectionTestResult } from '@wms/shared/settings/accounts'
import { WmsError } from '@wms/shared/errors'
import { openTrackingStore } from 'training-runner'
import { failed, hostOf, networkProblem, passed, type ProblemReport } from './network-problem.js'

/** MLflow settings with their secrets, as `AccountsService.credentialsFor('mlflow')` hands them out. */
export interface MlflowCredentials {
  /** The server saved for this app; null: the workspace's tracking URI (see `mlflow-target.ts`). */
  url: string | null
  auth: MlflowLogin
}

/** The stored login, as the runner's tracking client takes it. */
export type MlflowLogin =
  { kind: 'bearer'; token: string } | { kind: 'basic'; username: string; password: string } | undefined

/** The MLflow a connection test reads: a server address or a FileStore's `file:` URI, and the login. */
export interface MlflowProbeTarget {
  url: string
  auth: MlflowLogin
  /** What a relative `file:` URI is relative to (the workspace root; default `/`). */
  workspaceRoot?: string
  /** MLflow's variables (TLS, timeouts) as the app's other readers use them (default: none). */
  env?: NodeJS.ProcessEnv
}

/** What the test looks up on the server: the workspace's experiment and registered model. */
export interface MlflowProbeNames {
  experiment: string
  registeredModel: string
}

/**
 * Tests an MLflow server through the runner's tracking client (`openTrackingStore`, the REST store the pipeline
 * uses, without retries): the experiment by name, then the registered model. Each failure is named: DNS, refused,
 * TLS, timeout, 401 (no or wrong credentials) vs 403 (credentials lack the permission), or a server that answers
 * but is not MLflow (an HTML 404 where the REST API should be).
 */
export async function testMlflowConnection(
  settings: MlflowProbeTarget,
  names: MlflowProbeNames,
  timeoutMs = 10_000,
): Promise<ConnectionTestResult> {
  const started = Date.now()
  const fileStore = settings.url.startsWith('file:')
  try {
    const store = openTrackingStore(
      { uri: settings.url },
      {
        workspaceRoot: settings.workspaceRoot ?? '/',
        env: settings.env ?? {},
        ...(settings.auth === undefined ? {} : { auth: settings.auth }),
        http: { retries: 0, timeoutMs },
      },
    )
    const experiment = await store.getExperimentByName(names.experiment)
    const model = await store.getRegisteredModel(names.registeredModel)
    return passed(
      'mlflow',
      fileStore
        ? `The local MLflow FileStore ${settings.url} can be read (no server, no login needed).`
        : `MLflow server at ${hostOf(settings.url)} answered${settings.auth === undefined ? '' : ' and accepted the credentials'}.`,
      [
        experiment === undefined
          ? `experiment ${names.experiment} does not exist yet (the first training run creates it)`
          : `experiment ${names.experiment} (id ${experiment.experimentId})`,
        model === undefined
          ? `registered model ${names.registeredModel} does not exist yet (the first promotion creates it)`
          : `registered model ${names.registeredModel}`,
      ],
      started,
    )
  } catch (thrown) {
    if (fileStore) {
      return failed(
        'mlflow',
        {
          problem: 'unexpected-answer',
          summary: `The local MLflow FileStore ${settings.url} cannot be read: ${thrown instanceof Error ? thrown.message : String(thrown)}`,
          hint: 'Check the workspace config’s tracking URI, or save the address of an MLflow server above.',
        },
        started,
      )
    }
    return failed('mlflow', classifyMlflowError(thrown, settings), started)
  }
}

function classifyMlflowError(thrown: unknown, settings: Pick<MlflowProbeTarget, 'url' | 'auth'>): ProblemReport {
  const host = hostOf(settings.url)
  const code = thrown instanceof WmsError ? thrown.code : undefined
  const details = (thrown instanceof WmsError ? thrown.details : undefined) as { status?: number } | undefined
  if (code === 'tracking/unavailable' && details?.status === undefined) {
    const network = networkProblem(thrown, host, 'the MLflow server')
    if (network !== undefined) return network
  }
  if (code === 'tracking/auth-failed') {
    if (details?.status === 403) {
      return {
        problem: 'forbidden',
        summary: `The MLflow server at ${host} knows these credentials but refused access (403): the user lacks permission on the experiment or the registry.`,
        hint: 'Ask the MLflow admin for READ/EDIT on the experiment and MANAGE on the registered model.',
      }
    }
    return {
      problem: 'unauthorized',
      summary:
        settings.auth === undefined
          ? `The MLflow server at ${host} requires a login (401) and none is set.`
          : `The MLflow server at ${host} refused the ${settings.auth.kind === 'bearer' ? 'token' : 'user name or password'} (401).`,
      hint: 'Enter a token, or a user name and password, under MLflow in Settings.',
    }
  }
  if (code === 'tracking/unsupported') {
    return {
      problem: 'not-mlflow',
      summary: `${host} answered, but it is not an MLflow tracking server (no MLflow REST API under ${settings.url}).`,
      hint: 'Check the address and its path prefix; it should be what `mlflow server` prints (e.g. http://host:5000).',
    }
  }
  const message = thrown instanceof Error ? thrown.message : String(thrown)
  if (code === 'tracking/invalid' || /JSON|Unexpected token/i.test(message)) {
    return {
      problem: 'not-mlflow',
      summary: `${host} did not answer like an MLflow server: ${message}`,
      hint: 'Check the address; it should be what `mlflow server` prints (e.g. http://host:5000).',
    }
  }
  return {
    problem: 'unexpected-answer',
    summary: `The MLflow server at ${host} failed: ${message}`,
    hint: thrown instanceof WmsError && thrown.hint !== undefined ? thrown.hint : 'Try again later.',
  }
}
