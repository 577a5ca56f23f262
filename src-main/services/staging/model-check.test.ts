import path from 'node:path'
import { describe, expect, it } from 'vitest'
import type { EventPayloadOf } from '@wms/shared/ipc/contract'
import { EventHub } from '../../ipc/event-hub.js'
import { fakeStagingDeps } from '../../test-support/fake-staging-deps.js'
import { useTempDirs } from '../../test-support/temp-dirs.js'
import { StagingService } from './staging-service.js'

const bytes = (text: string): Uint8Array => Buffer.from(text)
const CHECK = { version: '3', dice: 0.12, iou: 0.06, disagrees: true, checkedAt: '2026-12-02T10:00:00.000Z' }

/** Models → Try it notes its comparison on the staged pair (issue 17): shown, streamed, and dropped with the mask. */
describe('StagingService model checks', () => {
  const temp = useTempDirs()

  it('shows a model check on its pair until a file of the pair changes, and streams both changes', async () => {
    const events = new EventHub()
    const updates: EventPayloadOf<'staging:updated'>[] = []
    events.subscribe((channel, payload) => {
      if (channel === 'staging:updated') updates.push(payload as EventPayloadOf<'staging:updated'>)
    })
    const service = await StagingService.open({ dir: path.join(await temp(), 'staging'), events, ...fakeStagingDeps() })
    try {
      await service.addFiles([
        { path: 'set/images/p.jpg', bytes: bytes('p') },
        { path: 'set/masks/p.png', bytes: bytes('P') },
      ])
      await service.whenIdle()
      const revision = service.revisionOf('p')
      service.recordModelCheck('p', revision, CHECK)
      expect(service.snapshot().pairs[0]?.modelCheck).toEqual(CHECK)
      service.emitNow()
      expect(updates.at(-1)?.pairs.find((pair) => pair.id === 'p')?.modelCheck).toEqual(CHECK)

      // A new mask is a new revision: the old comparison no longer describes it.
      await service.replacePairFile('p', 'mask', { path: 'other.png', bytes: bytes('Q') })
      expect(service.revisionOf('p')).toBeGreaterThan(revision)
      expect(service.snapshot().pairs[0]?.modelCheck).toBeUndefined()
      // A late answer for the old revision does not come back either.
      service.recordModelCheck('p', revision, CHECK)
      expect(service.snapshot().pairs[0]?.modelCheck).toBeUndefined()
    } finally {
      await service.dispose()
    }
  })
})
