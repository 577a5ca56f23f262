import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  certificateHelpers,
  mlflowTestServerHelpers,
  type MlflowTestServerHandle,
} from '../../test-support/runner-test-servers.js'
import { startGitHubStandIn, type GitHubStandIn } from '../../test-support/github-stand-in.js'
import { S3_TEST_KEYS, startSettingsS3Server, type SettingsS3Server } from '../../test-support/s3-test-server.js'
import { useTempDirs } from '../../test-support/temp-dirs.js'
import { checkGitHubToken } from './github-identity.js'
import { testMlflowConnection } from './mlflow-connection.js'
import { testS3Connection } from './s3-connection.js'

// A loopback port nothing listens on (found by closing a server; fetch refuses port 9 and friends by itself).
let CLOSED = ''
beforeAll(async () => {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  CLOSED = `http://127.0.0.1:${String((probe.address() as AddressInfo).port)}`
  await new Promise<void>((resolve) => probe.close(() => resolve()))
})
const NAMES = { experiment: 'wms-unet', registeredModel: 'wms-unet' }

describe('GitHub token check (Octokit, GET /user, X-OAuth-Scopes) against a loopback stand-in', () => {
  let github: GitHubStandIn
  beforeAll(async () => {
    github = await startGitHubStandIn()
    github.tokens.set('good', {
      login: 'octocat',
      scopes: ['repo', 'workflow'],
      repos: { 'acme/meters': { push: true } },
    })
    github.tokens.set('no-workflow', { login: 'octocat', scopes: ['repo', 'read:org'] })
    github.tokens.set('fine-grained', { login: 'octocat', scopes: null, repos: { 'acme/meters': { push: false } } })
    github.tokens.set('sso', { login: 'octocat', scopes: ['repo', 'workflow'], refuse: 'sso' })
    github.tokens.set('limited', { login: 'octocat', scopes: ['repo', 'workflow'], refuse: 'rate-limit' })
  })
  afterAll(() => github.close())

  const check = (token: string, repo?: string, apiUrl = github.apiUrl) => checkGitHubToken({ apiUrl, token, repo })

  it('knows who a good token is, its scopes, and that it can push to the repository', async () => {
    const result = await check('good', 'acme/meters')
    expect(result).toMatchObject({
      ok: true,
      repo: 'acme/meters',
      identity: { login: 'octocat', scopes: ['repo', 'workflow'] },
    })
    expect(github.requests.at(-2)).toMatchObject({ path: '/user', authorization: 'token good' })
  })

  it.each([
    ['bad-token', undefined, 'unauthorized', /401 Bad credentials.*wrong, expired or revoked/],
    ['no-workflow', undefined, 'missing-scope', /lacks the workflow scope \(it has: repo, read:org\)/],
    ['sso', undefined, 'forbidden', /requires SSO/],
    ['limited', undefined, 'forbidden', /rate limit .* used up/],
    ['good', 'acme/secret', 'forbidden', /cannot see acme\/secret/],
    ['fine-grained', 'acme/meters', 'forbidden', /can read acme\/meters but not push/],
  ])('token %s (repo %s) → %s', async (token, repo, problem, summary) => {
    const result = await check(token, repo)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.report.problem).toBe(problem)
    expect(result.report.summary).toMatch(summary)
    expect(result.report.hint).not.toBe('')
  })

  it('tells a refused port, an unknown host and a server that is not GitHub apart', async () => {
    expect(await check('good', undefined, CLOSED)).toMatchObject({ ok: false, report: { problem: 'refused' } })
    expect(await check('good', undefined, 'http://wms-no-such-host.invalid')).toMatchObject({
      ok: false,
      report: { problem: 'dns', summary: expect.stringContaining('wms-no-such-host.invalid') as string },
    })
    const html = createServer((_request, response) =>
      response.writeHead(404, { 'Content-Type': 'text/html' }).end('<h1>nope</h1>'),
    )
    await new Promise<void>((resolve) => html.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${String((html.address() as AddressInfo).port)}`
    expect(await check('good', undefined, url)).toMatchObject({ ok: false, report: { problem: 'unexpected-answer' } })
    html.close()
  })
})

describe('S3 test through the runner S3 adapter against the S3-protocol test server', () => {
  let s3: SettingsS3Server
  beforeAll(async () => {
    s3 = await startSettingsS3Server()
  })
  afterAll(() => s3.close())

  const settings = (overrides: Partial<Parameters<typeof testS3Connection>[0]> = {}) => ({
    region: 'us-east-1',
    bucket: s3.bucket,
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: S3_TEST_KEYS,
    ...overrides,
  })

  it('reaches an existing bucket', async () => {
    s3.fault = undefined
    const result = await testS3Connection(settings())
    expect(result).toMatchObject({ ok: true, problem: null })
    expect(result.summary).toContain(s3.bucket)
    expect(result.details.join(' ')).toContain('AKIA…0000')
  })

  it('names a missing bucket', async () => {
    s3.fault = undefined
    const result = await testS3Connection(settings({ bucket: 'no-such-bucket' }))
    expect(result).toMatchObject({ ok: false, problem: 'bucket-missing' })
    expect(result.summary).toContain('no-such-bucket')
  })

  it.each([
    [{ status: 301, headers: { 'x-amz-bucket-region': 'eu-west-1' } }, 'wrong-region', /in eu-west-1, not us-east-1/],
    [{ status: 403, code: 'InvalidAccessKeyId' }, 'unauthorized', /does not know the access key AKIA…0000/],
    [{ status: 403, code: 'SignatureDoesNotMatch' }, 'unauthorized', /secret access key does not belong/],
    [{ status: 403, code: 'AccessDenied' }, 'forbidden', /may not use the bucket/],
  ])('answers AWS-style %j as %s', async (fault, problem, summary) => {
    s3.fault = fault
    try {
      const result = await testS3Connection(settings())
      expect(result).toMatchObject({ ok: false, problem })
      expect(result.summary).toMatch(summary)
    } finally {
      s3.fault = undefined
    }
  })

  it('names a refused connection', async () => {
    const result = await testS3Connection(settings({ endpoint: CLOSED }))
    expect(result).toMatchObject({ ok: false, problem: 'refused' })
  })
})

describe('MLflow test through the runner tracking client against the MLflow REST test server', () => {
  const makeDir = useTempDirs()
  let mlflow: MlflowTestServerHandle
  beforeAll(async () => {
    const { mkdtemp } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const { startMlflowTestServer } = await mlflowTestServerHelpers()
    mlflow = await startMlflowTestServer(await mkdtemp(`${tmpdir()}/wms-settings-mlflow-`))
  })
  afterAll(() => mlflow.close())

  it('answers with what it found, and sends the token', async () => {
    mlflow.requireAuthorization = 'Bearer mlflow-token'
    const result = await testMlflowConnection(
      { url: mlflow.url, auth: { kind: 'bearer', token: 'mlflow-token' } },
      NAMES,
    )
    expect(result).toMatchObject({ ok: true })
    expect(result.details[0]).toContain('does not exist yet')
    mlflow.requireAuthorization = undefined
  })

  it('tells 401 (no or wrong login) from 403 (no permission)', async () => {
    mlflow.requireAuthorization = 'Bearer right'
    const missing = await testMlflowConnection({ url: mlflow.url, auth: undefined }, NAMES)
    expect(missing).toMatchObject({
      ok: false,
      problem: 'unauthorized',
      summary: expect.stringContaining('requires a login') as string,
    })
    const wrong = await testMlflowConnection(
      { url: mlflow.url, auth: { kind: 'basic', username: 'u', password: 'p' } },
      NAMES,
    )
    expect(wrong.summary).toContain('user name or password')
    mlflow.requireAuthorization = undefined
    const { jsonFault } = await mlflowTestServerHelpers()
    mlflow.faults.push(jsonFault('*', 403, 'PERMISSION_DENIED', 'Permission denied', { times: 1 }))
    const forbidden = await testMlflowConnection({ url: mlflow.url, auth: undefined }, NAMES)
    expect(forbidden).toMatchObject({ ok: false, problem: 'forbidden' })
  })

  it('says when the server is not MLflow', async () => {
    const html = createServer((_request, response) =>
      response.writeHead(404, { 'Content-Type': 'text/html' }).end('<!doctype html><h1>Not Found</h1>'),
    )
    await new Promise<void>((resolve) => html.listen(0, '127.0.0.1', resolve))
    const url = `http://127.0.0.1:${String((html.address() as AddressInfo).port)}`
    const result = await testMlflowConnection({ url, auth: undefined }, NAMES)
    expect(result).toMatchObject({ ok: false, problem: 'not-mlflow' })
    html.close()
  })

  it('names refused connections and untrusted TLS certificates', async () => {
    expect(await testMlflowConnection({ url: CLOSED, auth: undefined }, NAMES)).toMatchObject({ problem: 'refused' })
    const dir = await makeDir('wms-settings-tls-')
    const { startMlflowTestServer } = await mlflowTestServerHelpers()
    const { selfSignedCertificate } = await certificateHelpers()
    const tls = await startMlflowTestServer(dir, { tls: await selfSignedCertificate(dir) })
    try {
      const result = await testMlflowConnection({ url: tls.url, auth: undefined }, NAMES)
      expect(result).toMatchObject({ ok: false, problem: 'tls' })
    } finally {
      await tls.close()
    }
  })
})
