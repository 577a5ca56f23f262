import { describe, expect, it } from 'vitest'
import { GatePolicySchema, type GatePolicy } from '../config/gate-policy.js'
import { beats, evaluateGate } from './evaluate-gate.js'
import { renderVerdictMarkdown, renderVerdictText } from './render-verdict.js'
import { GateVerdictSchema, type GateBaseline, type GateOutcome, type ModelEvaluation } from './verdict.js'

/** An evaluation whose per-image Dice values average to `dice` (IoU likewise), over `ids`. */
function evaluation(dice: number, iou: number, perImage?: [string, number, number][]): ModelEvaluation {
  const images = perImage ?? [
    ['a', dice, iou],
    ['b', dice, iou],
  ]
  return { aggregate: { dice, iou }, perImage: images.map(([id, d, i]) => ({ id, dice: d, iou: i })) }
}

const prod = (dice: number, iou: number, perImage?: [string, number, number][]): GateBaseline => ({
  kind: 'evaluated',
  ref: { via: 'alias', version: '3', runId: 'prodrun0000' },
  evaluation: evaluation(dice, iou, perImage),
})

const policy = (overrides: Partial<GatePolicy> = {}): GatePolicy => GatePolicySchema.parse(overrides)

interface Case {
  name: string
  candidate: ModelEvaluation | undefined
  baseline: GateBaseline
  policy?: Partial<GatePolicy>
  allowBootstrap?: boolean
  pass: boolean
  outcome: GateOutcome
  reason?: RegExp
}

const cases: Case[] = [
  {
    name: 'both metrics strictly better',
    candidate: evaluation(0.81, 0.7),
    baseline: prod(0.8, 0.69),
    pass: true,
    outcome: 'improved',
  },
  {
    name: 'a tie on both fails (strictly greater)',
    candidate: evaluation(0.8, 0.69),
    baseline: prod(0.8, 0.69),
    pass: false,
    outcome: 'not-improved',
    reason: /a tie/,
  },
  {
    name: 'a tie on IoU only fails',
    candidate: evaluation(0.81, 0.69),
    baseline: prod(0.8, 0.69),
    pass: false,
    outcome: 'not-improved',
  },
  {
    name: 'Dice better but IoU worse fails',
    candidate: evaluation(0.85, 0.68),
    baseline: prod(0.8, 0.69),
    pass: false,
    outcome: 'not-improved',
    reason: /IoU 0\.6800 vs production v3 0\.6900: −0\.0100 .* worse/,
  },
  {
    name: 'IoU better but Dice worse fails',
    candidate: evaluation(0.79, 0.75),
    baseline: prod(0.8, 0.69),
    pass: false,
    outcome: 'not-improved',
  },
  {
    name: 'improvement within the margin fails',
    candidate: evaluation(0.805, 0.695),
    baseline: prod(0.8, 0.69),
    policy: { diceMargin: 0.01, iouMargin: 0.01 },
    pass: false,
    outcome: 'not-improved',
    reason: /not better by more than the margin/,
  },
  {
    name: 'improvement exactly at the margin (float noise) fails',
    candidate: evaluation(0.8, 0.8),
    baseline: prod(0.7, 0.7),
    policy: { diceMargin: 0.1, iouMargin: 0.1 },
    pass: false,
    outcome: 'not-improved',
  },
  {
    name: 'improvement beyond the margin passes',
    candidate: evaluation(0.83, 0.72),
    baseline: prod(0.8, 0.69),
    policy: { diceMargin: 0.02, iouMargin: 0.02 },
    pass: true,
    outcome: 'improved',
  },
  {
    name: 'NaN candidate Dice fails',
    candidate: evaluation(NaN, 0.7),
    baseline: prod(0.8, 0.69),
    pass: false,
    outcome: 'invalid-candidate',
    reason: /mean Dice is NaN/,
  },
  {
    name: 'missing candidate IoU fails',
    candidate: {
      aggregate: { dice: 0.9 } as ModelEvaluation['aggregate'],
      perImage: [{ id: 'a', dice: 0.9, iou: 0.8 }],
    },
    baseline: prod(0.8, 0.69),
    pass: false,
    outcome: 'invalid-candidate',
    reason: /mean IoU is missing/,
  },
  {
    name: 'a NaN per-image score fails',
    candidate: evaluation(0.9, 0.8, [
      ['a', 0.9, 0.8],
      ['b', NaN, 0.8],
    ]),
    baseline: { kind: 'none', reason: 'No production model.' },
    pass: false,
    outcome: 'invalid-candidate',
    reason: /invalid per-image metrics .* b/,
  },
  {
    name: 'candidate not evaluated fails',
    candidate: undefined,
    baseline: prod(0.8, 0.69),
    pass: false,
    outcome: 'invalid-candidate',
    reason: /could not be evaluated: model files missing/,
  },
  {
    name: 'no test images fails',
    candidate: { aggregate: { dice: 0.9, iou: 0.8 }, perImage: [] },
    baseline: { kind: 'none', reason: 'No production model.' },
    pass: false,
    outcome: 'invalid-candidate',
    reason: /no test images/,
  },
  {
    name: 'no production passes as the first model',
    candidate: evaluation(0.6, 0.45),
    baseline: { kind: 'none', reason: 'The registry has no model "wms" yet.' },
    pass: true,
    outcome: 'first-model',
    reason: /registry has no model/,
  },
  {
    name: 'the first model still has to meet the floor',
    candidate: evaluation(3.5e-10, 3.5e-10),
    baseline: { kind: 'none', reason: 'No production model.' },
    policy: { minDice: 0.05 },
    pass: false,
    outcome: 'below-floor',
    reason: /below the minimum 0\.0500/,
  },
  {
    name: 'a first model with Dice 0 never passes (default first-model floor)',
    candidate: evaluation(0, 0),
    baseline: { kind: 'none', reason: 'No production model.' },
    pass: false,
    outcome: 'below-floor',
    reason: /Dice 0\.0000 is below 0\.5000, the minimum for a model that is not compared .*gate\.firstModelMinDice/,
  },
  {
    name: 'the first-model floor is configurable',
    candidate: evaluation(0.4, 0.3),
    baseline: { kind: 'none', reason: 'No production model.' },
    policy: { firstModelMinDice: 0.3 },
    pass: true,
    outcome: 'first-model',
  },
  {
    name: 'a bootstrap pass needs the first-model floor too',
    candidate: evaluation(0.2, 0.1),
    baseline: { kind: 'unavailable', reason: 'down' },
    allowBootstrap: true,
    pass: false,
    outcome: 'below-floor',
    reason: /gate\.firstModelMinDice/,
  },
  {
    name: 'registry down fails closed',
    candidate: evaluation(0.95, 0.9),
    baseline: { kind: 'unavailable', reason: 'The MLflow server at http://x did not answer (timeout).' },
    pass: false,
    outcome: 'baseline-unavailable',
    reason: /did not answer/,
  },
  {
    name: 'registry down passes only with an explicit bootstrap flag',
    candidate: evaluation(0.95, 0.9),
    baseline: { kind: 'unavailable', reason: 'The MLflow server did not answer.' },
    allowBootstrap: true,
    pass: true,
    outcome: 'bootstrap',
    reason: /explicitly allowed/,
  },
  {
    name: 'registry down passes when the policy allows an unavailable baseline',
    candidate: evaluation(0.95, 0.9),
    baseline: { kind: 'unavailable', reason: 'down' },
    policy: { allowUnavailableBaseline: true },
    pass: true,
    outcome: 'bootstrap',
  },
  {
    name: 'production with NaN metrics fails closed',
    candidate: evaluation(0.95, 0.9),
    baseline: prod(NaN, 0.5),
    pass: false,
    outcome: 'baseline-unavailable',
    reason: /production's mean Dice is NaN/,
  },
  {
    name: 'different test images fail',
    candidate: evaluation(0.9, 0.8, [
      ['a', 0.9, 0.8],
      ['b', 0.9, 0.8],
    ]),
    baseline: prod(0.5, 0.4, [
      ['a', 0.5, 0.4],
      ['c', 0.5, 0.4],
    ]),
    pass: false,
    outcome: 'split-mismatch',
    reason: /1 only for the candidate \(b\); 1 only for production \(c\)/,
  },
]

describe('evaluateGate', () => {
  it.each(cases)('$name', (testCase) => {
    const verdict = evaluateGate(
      {
        candidate:
          testCase.candidate === undefined
            ? { runId: 'cand', error: 'model files missing' }
            : { runId: 'cand', evaluation: testCase.candidate },
        baseline: testCase.baseline,
        ...(testCase.allowBootstrap === undefined ? {} : { allowBootstrap: testCase.allowBootstrap }),
      },
      policy(testCase.policy),
    )
    expect(verdict.pass).toBe(testCase.pass)
    expect(verdict.outcome).toBe(testCase.outcome)
    if (testCase.reason !== undefined) expect(verdict.reasons.join('\n')).toMatch(testCase.reason)
    // Every verdict is storable and readable again (NaN never leaks into JSON as null silently).
    expect(GateVerdictSchema.parse(JSON.parse(JSON.stringify(verdict)))).toEqual(verdict)
    expect(renderVerdictText(verdict)).toContain(verdict.pass ? 'GATE PASSED' : 'GATE FAILED')
  })

  it('lists the most improved and most regressed test images', () => {
    const verdict = evaluateGate(
      {
        candidate: {
          runId: 'cand',
          evaluation: evaluation(0.7, 0.6, [
            ['a', 0.9, 0.82],
            ['b', 0.5, 0.33],
            ['c', 0.7, 0.54],
            ['d', 0.7, 0.54],
          ]),
        },
        baseline: prod(0.6, 0.5, [
          ['a', 0.6, 0.43],
          ['b', 0.6, 0.43],
          ['c', 0.65, 0.48],
          ['d', 0.7, 0.54],
        ]),
      },
      policy({ perImageTopK: 1 }),
    )
    expect(verdict.perImage).toMatchObject({ compared: 4, improved: 2, regressed: 1, unchanged: 1 })
    expect(verdict.perImage?.best.map((d) => d.id)).toEqual(['a'])
    expect(verdict.perImage?.worst.map((d) => d.id)).toEqual(['b'])
    expect(verdict.perImage?.worst[0]?.diceDelta).toBeCloseTo(-0.1)
    expect(verdict.deltas?.dice).toBeCloseTo(0.1)
  })

  it('renders text and Markdown with the numbers and the reasons', () => {
    const verdict = evaluateGate(
      {
        candidate: { runId: 'run-42', evaluation: evaluation(0.85, 0.68, [['x|y', 0.85, 0.68]]) },
        baseline: prod(0.8, 0.69, [['x|y', 0.8, 0.69]]),
      },
      policy(),
    )
    const text = renderVerdictText(verdict)
    expect(text).toContain('GATE FAILED (not-improved): Not promoted: IoU did not beat production v3')
    expect(text).toMatch(/Dice\s+0\.8500\s+0\.8000\s+\+0\.0500\s+> 0\s+✓/)
    expect(text).toMatch(/IoU\s+0\.6800\s+0\.6900\s+−0\.0100\s+> 0\s+✗/)
    const markdown = renderVerdictMarkdown(verdict)
    expect(markdown).toContain('### ❌ Quality gate failed')
    expect(markdown).toContain('| Dice | 0.8500 | 0.8000 | +0.0500 | > 0 | ✓ |')
    expect(markdown).toContain('`x|y`')
    expect(markdown).toContain('Candidate run `run-42`')
  })
})

describe('beats', () => {
  it.each([
    [0.01, 0, true],
    [0, 0, false],
    [-0.01, 0, false],
    [1e-12, 0, true],
    [0.8 - 0.7, 0.1, false],
    [0.1000001, 0.1, true],
  ])('delta %d vs margin %d → %s', (delta, margin, expected) => {
    expect(beats(delta, margin)).toBe(expected)
  })
})
