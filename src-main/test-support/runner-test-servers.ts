import path from 'node:path'

/**
 * The runner's MLflow REST test server and certificate helper, for the app's Settings tests. They are test
 * fixtures of the runner (not its API, so not in its entry) and live in another TypeScript project, so they are
 * loaded at run time by path, typed here by what these tests use — one MLflow stand-in in the repository, not two.
 */
export interface MlflowTestServerHandle {
  url: string
  faults: { route: string; status?: number; body?: string; contentType?: string; times?: number }[]
  requireAuthorization: string | undefined
  /** What the server received, oldest first (the fields these tests read). */
  requests: { method: string; route: string; authorization: string | undefined }[]
  close(): Promise<void>
}

interface MlflowHelpers {
  startMlflowTestServer: (
    dir: string,
    options?: { tls?: { key: string; cert: string } },
  ) => Promise<MlflowTestServerHandle>
  jsonFault: (
    route: string,
    status: number,
    errorCode: string,
    message: string,
    extra?: { times?: number },
  ) => MlflowTestServerHandle['faults'][number]
}

interface CertificateHelpers {
  selfSignedCertificate: (dir: string) => Promise<{ key: string; cert: string; certFile: string }>
}

const HELPERS = path.resolve(import.meta.dirname, '../../training-runner/test/helpers')

/** `startMlflowTestServer` and `jsonFault` of training-runner/test/helpers/mlflow-test-server.ts. */
export async function mlflowTestServerHelpers(): Promise<MlflowHelpers> {
  return (await import(path.join(HELPERS, 'mlflow-test-server.ts'))) as MlflowHelpers
}

/** `selfSignedCertificate` of training-runner/test/helpers/self-signed.ts. */
export async function certificateHelpers(): Promise<CertificateHelpers> {
  return (await import(path.join(HELPERS, 'self-signed.ts'))) as CertificateHelpers
}
