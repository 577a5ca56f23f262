import { z } from 'zod'
import { MlflowAuthModeSchema, S3CredentialModeSchema } from '@wms/shared/settings/accounts'

/** Default GitHub addresses (github.com); GitHub Enterprise users change them in Settings. */
export const GITHUB_DEFAULTS = { apiUrl: 'https://api.github.com', webUrl: 'https://github.com' } as const

/**
 * `<userData>/accounts.json`: the accounts' settings without their secrets (those are in the secret store). Who
 * the GitHub token belongs to is kept here so Settings can say "connected as …" without calling GitHub.
 */
export const StoredAccountsSchema = z.object({
  version: z.literal(1),
  github: z.object({
    apiUrl: z.string(),
    webUrl: z.string(),
    oauthClientId: z.string().nullable(),
    account: z
      .object({
        login: z.string(),
        name: z.string().nullable(),
        scopes: z.array(z.string()).nullable(),
        method: z.enum(['token', 'device-flow']),
        connectedAt: z.number(),
      })
      .nullable(),
  }),
  s3: z
    .object({
      mode: S3CredentialModeSchema,
      profile: z.string().nullable(),
      accessKeyIdHint: z.string().nullable(),
      region: z.string(),
      bucket: z.string(),
      endpoint: z.string().nullable(),
      forcePathStyle: z.boolean(),
    })
    .nullable(),
  mlflow: z
    .object({
      /** null: the open workspace's tracking URI (older files always have an address). */
      url: z.string().nullable(),
      auth: MlflowAuthModeSchema,
      username: z.string().nullable(),
    })
    .nullable(),
})

/** The accounts file's content. */
export type StoredAccounts = z.infer<typeof StoredAccountsSchema>

/** An empty accounts file. */
export function emptyAccounts(): StoredAccounts {
  return {
    version: 1,
    github: { ...GITHUB_DEFAULTS, oauthClientId: null, account: null },
    s3: null,
    mlflow: null,
  }
}
