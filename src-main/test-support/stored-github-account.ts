import path from 'node:path'
import { SECRETS_FILE_NAME } from '../services/settings/app-session.js'
import { PrivateJsonFile } from '../services/settings/private-json.js'
import { createKeyFileCipher, KEY_FILE_NAME } from '../services/settings/secret-cipher.js'
import { SecretStore } from '../services/settings/secret-store.js'
import { emptyAccounts, StoredAccountsSchema } from '../services/settings/stored-accounts.js'

/** The GitHub account a user signed in with earlier: where its API is, its token, who it is. */
export interface StoredGitHubAccount {
  apiUrl: string
  webUrl: string
  token: string
  login: string
}

/**
 * Leaves a web host's user-data folder as a token sign-in in Settings leaves it — `accounts.json` with the
 * addresses and who is signed in, the token encrypted in the secret store under the host's key file — written with
 * the app's own store classes, for an e2e that starts the host already signed in. (Signing in through Settings
 * checks the token with `GET /user`, which the OpenAPI-validating GitHub test server does not serve.)
 */
export async function storeGitHubAccount(userDataDir: string, account: StoredGitHubAccount): Promise<void> {
  const cipher = await createKeyFileCipher(path.join(userDataDir, KEY_FILE_NAME))
  await new SecretStore(path.join(userDataDir, SECRETS_FILE_NAME), cipher).update({ 'github.token': account.token })
  const file = new PrivateJsonFile(path.join(userDataDir, 'accounts.json'), StoredAccountsSchema, emptyAccounts)
  await file.update((current) => ({
    ...current,
    github: {
      apiUrl: account.apiUrl,
      webUrl: account.webUrl,
      oauthClientId: null,
      // A fine-grained token: GitHub sends no `X-OAuth-Scopes`, so none are known.
      account: { login: account.login, name: null, scopes: null, method: 'token', connectedAt: Date.now() },
    },
  }))
}
