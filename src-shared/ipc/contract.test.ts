import { describe, expect, it } from 'vitest'
import { EVENT_CHANNELS, INVOKE_CHANNELS, isEventChannel, isInvokeChannel } from './contract.js'

describe('IPC contract', () => {
  it('names every channel domain:verb in kebab case', () => {
    for (const name of [...INVOKE_CHANNELS, ...EVENT_CHANNELS])
      expect(name).toMatch(/^[a-z]+:[a-z][a-z0-9]*(-[a-z0-9]+)*$/)
  })

  it('recognises only its own channels (no prototype keys)', () => {
    expect(isInvokeChannel('workspace:get-info')).toBe(true)
    expect(isInvokeChannel('toString')).toBe(false)
    expect(isInvokeChannel('__proto__')).toBe(false)
    expect(isInvokeChannel(42)).toBe(false)
    expect(isEventChannel('staging:updated')).toBe(true)
    expect(isEventChannel('workspace:get-info')).toBe(false)
  })
})
