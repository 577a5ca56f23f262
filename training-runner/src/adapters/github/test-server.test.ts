import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  startGitHubTestServer,
  TEST_TOKEN,
  type GitHubTestServer,
} from '../../../test/github-test-server/github-test-server.js'

/** The GitHub test server itself: what breaks GitHub's description is caught in both directions. */

let server: GitHubTestServer

beforeEach(async () => {
  server = await startGitHubTestServer()
})

afterEach(async () => {
  await server.close()
})

async function call(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `token ${TEST_TOKEN}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
}

describe('GitHub test server', () => {
  it('says which description it validates against', () => {
    expect(server.descriptionVersion).toBe('23.0.2')
  })

  it('fails an unknown path', async () => {
    expect((await call('GET', '/repos/acme/water-meters/pulls/1/reviewers-typo')).status).toBe(404)
    expect(() => {
      server.assertNoViolations()
    }).toThrow(/no such operation/)
  })

  it('fails a request without a required field, and one with a field GitHub does not know', async () => {
    server.repository.setBranch('wms/publish/data/x', 'a'.repeat(40))
    expect((await call('POST', '/repos/acme/water-meters/pulls', { title: 't', base: 'main' })).status).toBe(422)
    expect(
      (await call('POST', '/repos/acme/water-meters/pulls', { title: 't', head: 'x', base: 'main', lables: [] }))
        .status,
    ).toBe(422)
    expect(server.violations.join('\n')).toMatch(/required property 'head'/)
    expect(server.violations.join('\n')).toMatch(/unknown field "lables"/)
  })

  it('fails a wrongly typed query parameter', async () => {
    expect((await call('GET', '/repos/acme/water-meters/actions/runs?per_page=many')).status).toBe(422)
    expect(server.violations.join('\n')).toMatch(/per_page/)
  })

  it('fails an answer that is off GitHub’s schema', async () => {
    server.inject({ operationId: 'pulls/create', status: 201, body: { number: 1 } })
    await call('POST', '/repos/acme/water-meters/pulls', { title: 't', head: 'x', base: 'main' })
    expect(() => {
      server.assertNoViolations()
    }).toThrow(/injected answer.*required property/)
  })

  it('answers a valid request with a valid, conditional answer', async () => {
    const first = await call('GET', '/repos/acme/water-meters/actions/runs?branch=data%2Fx&per_page=5')
    expect(first.status).toBe(200)
    const etag = first.headers.get('etag') ?? ''
    const second = await fetch(`${server.url}/repos/acme/water-meters/actions/runs?branch=data%2Fx&per_page=5`, {
      headers: { authorization: `token ${TEST_TOKEN}`, 'if-none-match': etag },
    })
    expect(second.status).toBe(304)
    expect(server.countedRequests()).toBe(1)
    server.assertNoViolations()
  })
})
