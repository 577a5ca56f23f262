import { describe, expect, it } from 'vitest'
import { resolveLaunchToken } from './web-transport.js'

// A tab's location, storage and history, as the page sees them after `npm start` opened it.
function tab(hash: string): { location: Location; storage: Storage; history: History; address: () => string } {
  const url = new URL(`http://127.0.0.1:4000/${hash}`)
  const values = new Map<string, string>()
  const storage = {
    getItem: (key: string) => values.get(key) ?? null,
    setItem: (key: string, value: string) => values.set(key, value),
  } as unknown as Storage
  const history = {
    replaceState: (_state: unknown, _title: string, next: string) => {
      url.href = new URL(next, url).href
    },
  } as unknown as History
  const location = {
    get hash() {
      return url.hash
    },
    origin: url.origin,
    pathname: url.pathname,
    search: url.search,
  } as unknown as Location
  return { location, storage, history, address: () => url.href }
}

describe('resolveLaunchToken', () => {
  it('trades a one-time code for the token, once, and takes the code out of the address bar', async () => {
    const page = tab('#code=00ff')
    const requests: unknown[] = []
    const fetchImpl = ((url: string, init: RequestInit) => {
      requests.push({ url, body: init.body })
      return Promise.resolve(new Response(JSON.stringify({ ok: true, value: { token: 'abc123' } })))
    }) as typeof fetch
    expect(await resolveLaunchToken(page.location, page.storage, page.history, fetchImpl)).toBe('abc123')
    expect(requests).toEqual([{ url: 'http://127.0.0.1:4000/api/launch-code', body: '{"code":"00ff"}' }])
    expect(page.address()).toBe('http://127.0.0.1:4000/')
    // A reload of the tab keeps working without the code.
    expect(await resolveLaunchToken(page.location, page.storage, page.history, fetchImpl)).toBe('abc123')
    expect(requests).toHaveLength(1)
  })

  it('has no token when the code was refused (already used), so the page says how to get in', async () => {
    const page = tab('#code=00ff')
    const refused = (() =>
      Promise.resolve(
        new Response(JSON.stringify({ ok: false, error: { code: 'ipc/forbidden', message: 'used' } }), { status: 401 }),
      )) as unknown as typeof fetch
    expect(await resolveLaunchToken(page.location, page.storage, page.history, refused)).toBeUndefined()
  })

  it('still takes a token from the URL the terminal printed', async () => {
    const page = tab('#token=beef')
    expect(await resolveLaunchToken(page.location, page.storage, page.history)).toBe('beef')
    expect(page.address()).toBe('http://127.0.0.1:4000/')
  })
})
