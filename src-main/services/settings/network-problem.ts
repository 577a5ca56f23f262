import type { ConnectionProblem, ConnectionTestResult, AccountService } from '@wms/shared/settings/accounts'

/** A failed connection, classified: what kind, what happened in one sentence, what to do. */
export interface ProblemReport {
  problem: ConnectionProblem
  summary: string
  hint: string
}

const TLS_CODES =
  /^(DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT(_LOCALLY)?|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ERR_TLS_CERT_ALTNAME_INVALID|ERR_SSL_.*|EPROTO)$/

/** Every error in a `cause` chain (libraries wrap the socket's error one to three times). */
function causes(thrown: unknown): { code?: string; name?: string; message?: string }[] {
  const chain: { code?: string; name?: string; message?: string }[] = []
  let current: unknown = thrown
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth += 1) {
    chain.push(current)
    current = (current as { cause?: unknown }).cause
  }
  return chain
}

/**
 * The network-level reason a request to `host` failed — name not found, refused, timed out, TLS — or `undefined`
 * when the failure was not the network's (the server answered). `what` names the service ("the MLflow server").
 */
export function networkProblem(thrown: unknown, host: string, what: string): ProblemReport | undefined {
  for (const error of causes(thrown)) {
    const code = error.code ?? ''
    const text = `${error.name ?? ''} ${error.message ?? ''}`
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /getaddrinfo|host not found/i.test(text)) {
      return {
        problem: 'dns',
        summary: `The name ${host} cannot be resolved (DNS): no such host, or no network.`,
        hint: `Check the spelling of ${host} and that this computer is online (a VPN may be needed for internal hosts).`,
      }
    }
    if (code === 'ECONNREFUSED' || /connection refused|ECONNREFUSED/i.test(text)) {
      return {
        problem: 'refused',
        summary: `${host} refused the connection: nothing is listening on that port.`,
        hint: `Check the port in the address and that ${what} is running.`,
      }
    }
    if (TLS_CODES.test(code) || /certificate|self[- ]signed|TLS|SSL/i.test(text)) {
      return {
        problem: 'tls',
        summary: `The TLS connection to ${host} failed: ${error.message ?? code}.`,
        hint: `The certificate is not trusted by this computer (self-signed, expired, or for another name). Use the server's proper https address, or have ${what}'s certificate fixed.`,
      }
    }
    if (
      /^(ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|ESOCKETTIMEDOUT)$/.test(code) ||
      /^(TimeoutError|AbortError|RequestTimeout)$/.test(error.name ?? '') ||
      /timed? ?out|no answer within/i.test(error.message ?? '')
    ) {
      return {
        problem: 'timeout',
        summary: `${host} did not answer in time.`,
        hint: `A firewall may drop the connection, or ${what} is overloaded; check the address and try again.`,
      }
    }
    if (code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH') {
      return {
        problem: 'refused',
        summary: `The connection to ${host} was cut (${code}).`,
        hint: `Check the address and that ${what} is reachable from this computer.`,
      }
    }
  }
  return undefined
}

/** The host (and port) of a URL, for messages. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host
  } catch {
    return url
  }
}

/** A failed test's result. */
export function failed(service: AccountService, report: ProblemReport, started: number): ConnectionTestResult {
  return {
    service,
    ok: false,
    summary: report.summary,
    problem: report.problem,
    hint: report.hint,
    details: [],
    elapsedMs: Date.now() - started,
  }
}

/** A passed test's result. */
export function passed(
  service: AccountService,
  summary: string,
  details: string[],
  started: number,
): ConnectionTestResult {
  return { service, ok: true, summary, problem: null, hint: null, details, elapsedMs: Date.now() - started }
}
