import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { newRunRecord } from '@wms/shared/pipeline/run-record'
import type { PipelineStatus, PipelineTimeline, StatusFreshness } from '@wms/shared/pipeline/timeline'
import { timelineFromRecord } from '@wms/shared/pipeline/timeline-from-record'
import { AppStoreContext, createAppStore } from '../../store/app-store.js'
import { fakeApi } from '../../test-support/fake-api.js'
import { PipelineArea } from '../PipelineArea.js'
import { isWebLink } from './ExternalLinkAnchor.js'

const BRANCH = 'data/20260101-120000'
const LIVE: StatusFreshness = {
  source: 'local',
  sourceLabel: 'local runner',
  freshness: 'live',
  lastSuccessAt: Date.now(),
  error: null,
  nextPollAt: null,
}

function training(): PipelineTimeline {
  const record = newRunRecord(BRANCH, 'abcdef1234', Date.now() - 60_000)
  record.steps.merge = { status: 'ok', summary: '3 new pairs, 23 in total' }
  record.steps.qa = { status: 'ok' }
  record.steps.train = { status: 'running' }
  return timelineFromRecord(record, {
    pushedAt: Date.now() - 65_000,
    epochs: 10,
    curve: [{ epoch: 1, trainLoss: 0.7, valLoss: 0.8, trainDice: 0.2, valDice: 0.1 }],
    links: [
      { href: 'https://github.com/acme/meters/actions/runs/1', label: 'Workflow run' },
      { href: 'javascript:alert(1)', label: 'Evil' },
    ],
  })
}

function rejected(): PipelineTimeline {
  const record = newRunRecord(BRANCH, 'abcdef1234', 1_000)
  for (const step of ['merge', 'qa', 'train'] as const) record.steps[step] = { status: 'ok', seconds: 2 }
  record.steps.gate = { status: 'failed' }
  record.steps.promote = { status: 'skipped' }
  record.steps.publish = { status: 'skipped' }
  record.status = 'done'
  record.finishedAt = 1_000 + 102_000
  const delta = (id: string, diceDelta: number) => ({
    id,
    candidate: { dice: 0.8 + diceDelta, iou: 0.7 },
    production: { dice: 0.8, iou: 0.7 },
    diceDelta,
    iouDelta: diceDelta,
  })
  record.gate = {
    schemaVersion: 1,
    pass: false,
    outcome: 'not-improved',
    headline: 'The candidate is not better than production v1',
    reasons: ['Dice 0.790 is not above 0.800 + 0.000'],
    candidate: { runId: 'run-2', dice: 0.79, iou: 0.69 },
    production: { via: 'alias', version: '1', runId: 'run-1', dice: 0.8, iou: 0.7 },
    deltas: { dice: -0.01, iou: -0.01 },
    policy: { diceMargin: 0, iouMargin: 0, minDice: 0, minIou: 0 },
    testImages: 4,
    perImage: {
      compared: 4,
      improved: 1,
      regressed: 3,
      unchanged: 0,
      best: [delta('m-1', 0.05)],
      worst: [delta('m-2', -0.2)],
    },
  }
  record.verdict = {
    outcome: 'not-improved',
    step: 'gate',
    headline: 'The candidate is not better',
    details: [],
    action: 'Add more or better data.',
  }
  return timelineFromRecord(record, {
    pushedAt: 1_000,
    thumb: (id) => (id === 'm-1' ? 'dataset/images%2Fm-1.jpg/thumb' : null),
  })
}

function renderArea(status: PipelineStatus, refresh?: () => PipelineStatus) {
  const { api, calls } = fakeApi({
    'pipeline:get-status': () => ({ ok: true, value: status }),
    'pipeline:refresh-status': () => ({ ok: true, value: refresh?.() ?? status }),
    'pipeline:list-data-branches': () => ({ ok: true, value: [] }),
  })
  const store = createAppStore(api)
  render(
    <AppStoreContext.Provider value={store}>
      <PipelineArea />
    </AppStoreContext.Provider>,
  )
  return { store, calls }
}

describe('PipelineArea', () => {
  afterEach(() => {
    cleanup()
    vi.unstubAllGlobals()
  })

  it('shows a running pipeline and advances it with live events', async () => {
    const { store } = renderArea({ timelines: [training()], freshness: LIVE })
    const timeline = await screen.findByRole('article', { name: BRANCH })
    expect(screen.getByTestId('stage-word-training').textContent).toBe('epoch 1/10')
    expect(screen.getByTestId('stage-word-merge-qa').textContent).toBe('checked')
    expect(await within(timeline).findByRole('figure', { name: 'Loss per epoch' })).toBeTruthy()
    // Only web links are links: a javascript: URL from a source is dropped.
    expect(
      within(timeline)
        .getByRole('link', { name: /Workflow run/ })
        .getAttribute('target'),
    ).toBe('_blank')
    expect(within(timeline).queryByRole('link', { name: /Evil/ })).toBeNull()

    act(() => {
      store.getState().applyPipelineEvent({
        type: 'epoch-end',
        at: Date.now(),
        branch: BRANCH,
        epoch: 2,
        epochs: 10,
        metrics: { train_loss: 0.5 },
        learningRate: 0.001,
        seconds: 3,
      })
    })
    expect(screen.getByTestId('stage-word-training').textContent).toBe('epoch 2/10')
    expect(screen.getByTestId('training-epoch').textContent).toBe('epoch 2/10')
  })

  it('draws both curves with their legends, and keeps the timeline on screen when a reload brings the same', async () => {
    const { store } = renderArea({ timelines: [training()], freshness: LIVE })
    const timeline = await screen.findByRole('article', { name: BRANCH })
    // One chart per task (jsdom draws slowly on a busy machine: a generous wait).
    const dice = await within(timeline).findByRole('figure', { name: 'Dice per epoch' }, { timeout: 10_000 })
    expect(within(dice).getByText('validation Dice')).toBeTruthy()
    expect(within(timeline).getByRole('figure', { name: 'Loss per epoch' }).textContent).toContain('train loss')
    const shown = store.getState().pipelineStatus
    await act(() => store.getState().loadPipelineStatus())
    // An equal answer is not a change: the same objects, so the memoised charts are not drawn again.
    expect(store.getState().pipelineStatus).toBe(shown)
    act(() => {
      store.getState().applyPipelineEvent({
        type: 'epoch-end',
        at: Date.now(),
        branch: BRANCH,
        epoch: 2,
        epochs: 10,
        metrics: { train_loss: 0.5 },
        learningRate: 0.001,
        seconds: 3,
      })
    })
    const after = store.getState().pipelineStatus
    expect(after).not.toBe(shown)
    expect(after.status === 'ready' ? after.value.timelines[0]?.training?.curve.length : 0).toBe(2)
  })

  it('notifies in the page and the system when a verdict arrives, and shows its reasons and per-image deltas', async () => {
    const shown: { title: string; body: string | undefined }[] = []
    vi.stubGlobal(
      'Notification',
      Object.assign(
        function Notification(title: string, options?: NotificationOptions) {
          shown.push({ title, body: options?.body })
        },
        { permission: 'granted' },
      ),
    )
    const { store } = renderArea({ timelines: [training()], freshness: LIVE })
    await screen.findByRole('article', { name: BRANCH })
    act(() => store.getState().applyPipelineStatus({ changed: [rejected()], removed: [], freshness: LIVE }))

    const notices = screen.getByTestId('verdict-notices')
    expect(within(notices).getByRole('status').textContent).toContain(`Gate rejected: ${BRANCH}`)
    expect(shown).toEqual([
      { title: `Gate rejected: ${BRANCH}`, body: 'The candidate is not better than production v1' },
    ])
    expect(screen.getByTestId('gate-result').textContent).toContain('rejected')
    expect(screen.getByText('Dice 0.790 is not above 0.800 + 0.000')).toBeTruthy()
    expect(screen.getByTestId('stage-word-promotion').textContent).toBe('not promoted')
    expect(screen.getByTestId('submit-to-verdict').textContent).toBe('verdict 1 min 42 s after the push')
    expect(screen.getByRole('img', { name: 'Test image m-1' }).getAttribute('src')).toBe(
      '/media/dataset/images%2Fm-1.jpg/thumb',
    )
    expect(screen.getByRole('img', { name: 'No picture of m-2 here' })).toBeTruthy()
    // The same verdict again (the next look) is not a new notice.
    act(() => store.getState().applyPipelineStatus({ changed: [rejected()], removed: [], freshness: LIVE }))
    expect(shown).toHaveLength(1)

    // Headings go down one level at a time.
    const levels = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map((heading) => Number(heading.tagName[1]))
    levels.forEach((level, index) => expect(level - (levels[index - 1] ?? 1)).toBeLessThanOrEqual(1))
  })

  it('offline, shows the last known state with its age and checks again on demand', async () => {
    const offline: StatusFreshness = {
      ...LIVE,
      freshness: 'offline',
      lastSuccessAt: Date.now() - 2 * 3_600_000,
      error: { code: 'tracking/unavailable', message: 'MLflow did not answer.', hint: 'Check the server.' },
      nextPollAt: Date.now() + 40_000,
    }
    const { calls } = renderArea({ timelines: [rejected()], freshness: offline }, () => ({
      timelines: [rejected()],
      freshness: LIVE,
    }))
    const bar = await screen.findByTestId('freshness')
    expect(bar.dataset.freshness).toBe('offline')
    expect(screen.getByTestId('freshness-age').textContent).toContain('from 2 h ago')
    expect(bar.textContent).toContain('MLflow did not answer. Check the server.')
    await act(async () => {
      fireEvent.click(within(bar).getByRole('button', { name: 'Check now' }))
      await Promise.resolve()
    })
    expect(calls).toContain('pipeline:refresh-status')
    expect(screen.getByTestId('freshness').dataset.freshness).toBe('live')
  })
})

describe('helpers', () => {
  it.each([
    ['https://github.com/x', true],
    ['http://127.0.0.1:5000/#/runs/1', true],
    ['javascript:alert(1)', false],
    ['file:///etc/passwd', false],
    ['not a url', false],
  ])('isWebLink(%s) is %s', (href, expected) => expect(isWebLink(href)).toBe(expected))
})
