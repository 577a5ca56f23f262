/**
 * Debian's Chromium, not Playwright's download (which needs the internet). Flags from the stack study: root needs
 * --no-sandbox, and the background-networking flags stop Chromium from calling home on a closed network.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Launch flags for the e2e tests and the benches. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
]
