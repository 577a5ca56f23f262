import { readFile, readdir } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AccountsView } from '@wms/shared/settings/accounts'
import { startGitHubStandIn, type GitHubStandIn } from '../../test-support/github-stand-in.js'
import { useTempDirs } from '../../test-support/temp-dirs.js'
import { AccountsService } from './accounts-service.js'
import { createKeyFileCipher, KEY_FILE_NAME } from './secret-cipher.js'
import { SecretStore } from './secret-store.js'

const TOKEN = 'ghp_accountsServiceToken0123456789'

describe('AccountsService: GitHub, S3 and MLflow accounts with secrets kept main-side', () => {
  const makeDir = useTempDirs()
  let github: GitHubStandIn
  beforeAll(async () => {
    github = await startGitHubStandIn()
    github.tokens.set(TOKEN, { login: 'octocat', scopes: ['repo', 'workflow'] })
    github.tokens.set('ghp_device_flow_token_000000', { login: 'devicecat', scopes: ['repo', 'workflow'] })
  })
  afterAll(() => github.close())

  async function open(env: NodeJS.ProcessEnv = {}) {
    const dir = await makeDir('wms-accounts-')
    const changes: AccountsView[] = []
    const secrets = new SecretStore(
      path.join(dir, 'secrets.json'),
      await createKeyFileCipher(path.join(dir, KEY_FILE_NAME)),
    )
    const accounts = new AccountsService({
      userDataDir: dir,
      secrets,
      env,
      minPollMs: 5,
      onChanged: (view) => changes.push(view),
      context: () =>
        Promise.resolve({
          root: dir,
          githubRepo: undefined,
          tracking: { uri: 'file:mlruns', experiment: 'e', registeredModel: 'm' },
          s3Remote: undefined,
        }),
    })
    await accounts.saveGitHub({ apiUrl: github.apiUrl, webUrl: github.webUrl })
    return { dir, accounts, changes }
  }

  async function everyFileIn(dir: string): Promise<string> {
    const names = await readdir(dir)
    return (await Promise.all(names.map((name) => readFile(path.join(dir, name), 'utf8').catch(() => '')))).join('\n')
  }

  it('refuses a token GitHub refuses, with its reason, and stores nothing', async () => {
    const { dir, accounts } = await open()
    await expect(accounts.signInWithToken('ghp_wrong_token_value_0000')).rejects.toMatchObject({
      code: 'accounts/rejected',
      message: expect.stringMatching(/not saved.*401 Bad credentials/) as string,
    })
    expect((await accounts.view()).github.account).toBeNull()
    expect(await accounts.credentialsFor('github')).toBeUndefined()
    expect(await everyFileIn(dir)).not.toContain('ghp_wrong_token_value')
  })

  it('stores a good token encrypted; the view says who and which scopes, never the token', async () => {
    const { dir, accounts } = await open()
    const view = await accounts.signInWithToken(TOKEN)
    expect(view.github.account).toMatchObject({
      login: 'octocat',
      scopes: ['repo', 'workflow'],
      missingScopes: [],
      method: 'token',
    })
    expect(JSON.stringify(view)).not.toContain(TOKEN)
    expect(await accounts.credentialsFor('github')).toMatchObject({
      token: TOKEN,
      login: 'octocat',
      apiUrl: github.apiUrl,
    })
    expect(await everyFileIn(dir)).not.toContain(TOKEN)
    expect((await accounts.test('github')).summary).toBe('Connected as octocat, scopes repo, workflow.')
    await accounts.signOut('github')
    expect(await accounts.credentialsFor('github')).toBeUndefined()
  })

  it('signs in by device flow: the code for the user, polling until GitHub hands out the token', async () => {
    github.deviceFlow = { clientId: 'Iv1.standin', pendingPolls: 2, outcome: { token: 'ghp_device_flow_token_000000' } }
    const { accounts, changes } = await open({ WMS_GITHUB_CLIENT_ID: 'Iv1.standin' })
    const started = await accounts.startDeviceFlow()
    expect(started.github).toMatchObject({
      oauthClientIdSource: 'environment',
      deviceFlow: { state: 'waiting', userCode: 'WDJB-MJHT' },
    })
    await expect.poll(() => changes.length, { timeout: 5_000 }).toBeGreaterThan(0)
    expect(changes.at(-1)?.github).toMatchObject({
      account: { login: 'devicecat', method: 'device-flow' },
      deviceFlow: null,
    })
    expect(JSON.stringify(changes)).not.toContain('ghp_device_flow_token')
    const polls = github.requests.filter((request) => request.path === '/login/oauth/access_token')
    expect(polls.length).toBe(3)
  })

  it('reports a device flow the user declined, and needs a client ID to start one', async () => {
    github.deviceFlow = { clientId: 'Iv1.standin', pendingPolls: 0, outcome: { error: 'access_denied' } }
    const { accounts, changes } = await open()
    await expect(accounts.startDeviceFlow()).rejects.toMatchObject({ code: 'accounts/not-configured' })
    await accounts.saveGitHub({ oauthClientId: 'Iv1.standin' })
    await accounts.startDeviceFlow()
    await expect.poll(() => changes.at(-1)?.github.deviceFlow?.state, { timeout: 5_000 }).toBe('denied')
    expect((await accounts.view()).github.account).toBeNull()
    await accounts.saveGitHub({ oauthClientId: 'Iv1.unknown' })
    await expect(accounts.startDeviceFlow()).rejects.toMatchObject({
      code: 'accounts/rejected',
      message: expect.stringContaining('Iv1.unknown') as string,
    })
  })

  it('keeps S3 keys and the MLflow token in the secret store and hands them to main-side clients only', async () => {
    const { dir, accounts } = await open()
    const view = await accounts.saveS3({
      mode: 'keys',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      region: 'eu-west-1',
      bucket: 'wms-dvc',
      forcePathStyle: false,
    })
    expect(view.s3).toMatchObject({ accessKeyIdHint: 'AKIA…MPLE', hasSecret: true, region: 'eu-west-1' })
    expect(JSON.stringify(view)).not.toContain('wJalrXUtnFEMI')
    expect(JSON.stringify(view)).not.toContain('AKIAIOSFODNN7EXAMPLE')
    expect(await accounts.credentialsFor('s3')).toMatchObject({
      credentials: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
    })
    // Saving again without the secret keeps it; switching to a profile forgets both keys.
    await accounts.saveS3({
      mode: 'keys',
      accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
      region: 'eu-west-2',
      bucket: 'wms-dvc',
      forcePathStyle: false,
    })
    expect((await accounts.credentialsFor('s3'))?.credentials?.secretAccessKey).toBe(
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    )
    await accounts.saveS3({
      mode: 'profile',
      profile: 'wms',
      region: 'eu-west-2',
      bucket: 'wms-dvc',
      forcePathStyle: false,
    })
    expect(await accounts.credentialsFor('s3')).toEqual({
      region: 'eu-west-2',
      bucket: 'wms-dvc',
      forcePathStyle: false,
      profile: 'wms',
    })

    await expect(accounts.saveMlflow({ url: 'https://mlflow.example.com', auth: 'token' })).rejects.toMatchObject({
      code: 'accounts/rejected',
    })
    await accounts.saveMlflow({ url: 'https://mlflow.example.com/', auth: 'token', token: 'mlflow-secret-token' })
    expect(await accounts.credentialsFor('mlflow')).toEqual({
      url: 'https://mlflow.example.com',
      auth: { kind: 'bearer', token: 'mlflow-secret-token' },
    })
    expect(await everyFileIn(dir)).not.toMatch(/mlflow-secret-token|wJalrXUtnFEMI/)
  })
  it('says which MLflow is read: the workspace’s tracking URI until a server is saved for this app', async () => {
    const { accounts } = await open()
    expect((await accounts.view()).mlflow).toEqual({
      configured: false,
      url: null,
      auth: 'none',
      username: null,
      hasSecret: false,
      workspaceUri: 'file:mlruns',
      inUse: { uri: 'file:mlruns', source: 'config' },
    })
    // A login for the workspace's own server: no address of this app's.
    await accounts.saveMlflow({ url: null, auth: 'token', token: 'mlflow-secret-token' })
    expect((await accounts.view()).mlflow).toMatchObject({ configured: true, url: null, inUse: { source: 'config' } })
    expect(await accounts.credentialsFor('mlflow')).toEqual({
      url: null,
      auth: { kind: 'bearer', token: 'mlflow-secret-token' },
    })
    // Another server for this app, the stored token kept; the address is shown without what is secret in it.
    await accounts.saveMlflow({ url: 'https://bob:pw@mlflow.example.com/', auth: 'token' })
    expect((await accounts.view()).mlflow).toMatchObject({
      url: 'https://bob:pw@mlflow.example.com',
      workspaceUri: 'file:mlruns',
      inUse: { uri: 'https://mlflow.example.com', source: 'settings' },
    })
    await accounts.signOut('mlflow')
    expect((await accounts.view()).mlflow.inUse).toEqual({ uri: 'file:mlruns', source: 'config' })
  })

  it('names MLFLOW_TRACKING_URI as what is read when the app was started with it and nothing is saved', async () => {
    const { accounts } = await open({ MLFLOW_TRACKING_URI: 'http://env-mlflow:5000' })
    expect((await accounts.view()).mlflow.inUse).toEqual({ uri: 'http://env-mlflow:5000', source: 'environment' })
    await accounts.saveMlflow({ url: 'https://mlflow.example.com', auth: 'none' })
    expect((await accounts.view()).mlflow.inUse).toEqual({ uri: 'https://mlflow.example.com', source: 'settings' })
  })

  it('tests the MLflow in use, also a workspace FileStore with nothing saved (the demo)', async () => {
    const { accounts } = await open()
    const result = await accounts.test('mlflow')
    expect(result).toMatchObject({
      ok: true,
      summary: expect.stringContaining('local MLflow FileStore file:mlruns') as unknown,
    })
  })
})
