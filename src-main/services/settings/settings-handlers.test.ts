import { describe, expect, it } from 'vitest'
import { INVOKE_CHANNELS } from '@wms/shared/ipc/contract'
import { err, ok } from '@wms/shared/result'
import { afterLoginChanges, LOGIN_CHANNELS, type SettingsHandlers } from './settings-handlers.js'

/** Settings handlers that answer ok, except the channels in `failing`; every call is recorded. */
function fakeHandlers(calls: string[], failing: readonly string[] = []): SettingsHandlers {
  const channels = INVOKE_CHANNELS.filter((channel) => /^(settings|accounts):/.test(channel))
  return Object.fromEntries(
    channels.map((channel) => [
      channel,
      (request: unknown) => {
        calls.push(`${channel} ${JSON.stringify(request)}`)
        return Promise.resolve(
          failing.includes(channel) ? err({ code: 'accounts/rejected', message: 'refused' }) : ok({ channel }),
        )
      },
    ]),
  ) as unknown as SettingsHandlers
}

describe('afterLoginChanges', () => {
  it('tells of each stored login change after the handler answered, and of nothing else', async () => {
    const calls: string[] = []
    const handlers = afterLoginChanges(fakeHandlers(calls), () => calls.push('changed'))
    const saved = await handlers['accounts:save-mlflow']({ url: 'https://mlflow.example', auth: 'none' })
    expect(saved).toEqual(ok({ channel: 'accounts:save-mlflow' }))
    await handlers['accounts:github-token']({ token: 'ghp_x' })
    await handlers['accounts:get']({})
    await handlers['accounts:test']({ service: 'mlflow' })
    expect(calls).toEqual([
      'accounts:save-mlflow {"url":"https://mlflow.example","auth":"none"}',
      'changed',
      'accounts:github-token {"token":"ghp_x"}',
      'changed',
      'accounts:get {}',
      'accounts:test {"service":"mlflow"}',
    ])
    expect([...LOGIN_CHANNELS].sort()).toEqual([
      'accounts:github-token',
      'accounts:save-github',
      'accounts:save-mlflow',
      'accounts:sign-out',
    ])
  })

  it('does not tell of a refused change (nothing was stored)', async () => {
    const calls: string[] = []
    const handlers = afterLoginChanges(fakeHandlers(calls, ['accounts:github-token']), () => calls.push('changed'))
    const refused = await handlers['accounts:github-token']({ token: 'ghp_wrong' })
    expect(refused.ok).toBe(false)
    expect(calls).toEqual(['accounts:github-token {"token":"ghp_wrong"}'])
  })
})
