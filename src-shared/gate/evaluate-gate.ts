import type { GatePolicy } from '../config/gate-policy.js'
import {
  GATE_VERDICT_VERSION,
  type GateInput,
  type GateOutcome,
  type GateVerdict,
  type ImageDelta,
  type ModelEvaluation,
  type ProductionRef,
  type Scores,
} from './verdict.js'
import { formatDelta, formatMargin, formatScore, productionLabel, testImages } from './format-numbers.js'

/**
 * The quality gate as a pure function (PRODUCT.md §6): values in, verdict out.
 *
 * - Candidate and production were evaluated on the same test split; improved ⇔ mean Dice AND mean IoU beat
 *   production by more than the margins (margin 0 = strictly greater; a tie fails).
 * - No production → pass as the first model (explicitly). Production unavailable → fail closed, unless the
 *   caller explicitly allows bootstrapping.
 * - NaN, infinite, out-of-range or missing metrics fail; so do evaluations on different image sets.
 */
export function evaluateGate(input: GateInput, policy: GatePolicy): GateVerdict {
  const candidateRunId = input.candidate.runId
  const evaluation = input.candidate.evaluation
  const base = {
    schemaVersion: GATE_VERDICT_VERSION,
    candidate: {
      runId: candidateRunId,
      dice: finiteOrNull(evaluation?.aggregate.dice),
      iou: finiteOrNull(evaluation?.aggregate.iou),
    },
    policy: {
      diceMargin: policy.diceMargin,
      iouMargin: policy.iouMargin,
      minDice: policy.minDice,
      minIou: policy.minIou,
      firstModelMinDice: policy.firstModelMinDice,
    },
    testImages: evaluation?.perImage.length ?? 0,
    production: productionSummary(input),
    deltas: null,
    perImage: null,
  } satisfies Partial<GateVerdict>

  const fail = (outcome: GateOutcome, headline: string, reasons: string[]): GateVerdict => ({
    ...base,
    pass: false,
    outcome,
    headline,
    reasons,
  })

  // 1. The candidate must have been evaluated, with sane numbers.
  const candidateProblems =
    evaluation === undefined
      ? [`The candidate could not be evaluated: ${input.candidate.error ?? 'no evaluation was given'}.`]
      : evaluationProblems(evaluation, 'candidate')
  if (evaluation === undefined || candidateProblems.length > 0) {
    return fail('invalid-candidate', 'Not promoted: the candidate has no valid test metrics', candidateProblems)
  }
  const candidate = evaluation.aggregate

  // 2. Absolute floors apply to every candidate, the first model included.
  const floorProblems = floorReasons(candidate, policy)
  if (floorProblems.length > 0) {
    return fail('below-floor', 'Not promoted: the candidate is below the minimum quality', floorProblems)
  }

  // 3. What is production?
  const baseline = input.baseline
  // Nothing to compare with: the candidate must still show it learned something.
  const uncompared = firstModelFloorReason(candidate, policy)
  if (baseline.kind === 'none') {
    if (uncompared !== undefined) {
      return fail('below-floor', 'Not promoted: the first model is below the minimum quality', [
        baseline.reason,
        uncompared,
      ])
    }
    return {
      ...base,
      pass: true,
      outcome: 'first-model',
      headline: `Promote as the first model: no production model yet (Dice ${formatScore(candidate.dice)}, IoU ${formatScore(candidate.iou)} on ${testImages(evaluation.perImage.length)})`,
      reasons: [baseline.reason, 'With no production model, the first valid candidate is promoted.'],
    }
  }
  const baselineProblems =
    baseline.kind === 'unavailable' ? [baseline.reason] : evaluationProblems(baseline.evaluation, 'production')
  if (baseline.kind === 'unavailable' || baselineProblems.length > 0) {
    const bootstrap = input.allowBootstrap === true || policy.allowUnavailableBaseline
    if (bootstrap && uncompared !== undefined) {
      return fail(
        'below-floor',
        'Not promoted: production could not be evaluated and the candidate is below the minimum quality',
        [...baselineProblems, uncompared],
      )
    }
    if (bootstrap) {
      return {
        ...base,
        pass: true,
        outcome: 'bootstrap',
        headline: 'Promote (bootstrap): production could not be evaluated, and bootstrapping was explicitly allowed',
        reasons: [
          ...baselineProblems,
          'The gate would fail closed here; it passes only because bootstrapping was explicitly allowed.',
        ],
      }
    }
    return fail(
      'baseline-unavailable',
      'Not promoted: the production model could not be evaluated, so the gate fails closed',
      [
        ...baselineProblems,
        'Fix the registry or the production model and rerun the gate (or pass --allow-bootstrap to promote anyway).',
      ],
    )
  }

  // 4. Same images on both sides, or the comparison means nothing.
  const production = baseline.evaluation
  const mismatch = splitMismatch(evaluation, production)
  if (mismatch !== undefined) {
    return fail('split-mismatch', 'Not promoted: candidate and production were not evaluated on the same images', [
      mismatch,
    ])
  }

  // 5. Compare.
  const deltas = { dice: candidate.dice - production.aggregate.dice, iou: candidate.iou - production.aggregate.iou }
  const diceOk = beats(deltas.dice, policy.diceMargin)
  const iouOk = beats(deltas.iou, policy.iouMargin)
  const label = productionLabel(baseline.ref)
  const reasons = [
    metricReason('Dice', candidate.dice, production.aggregate.dice, deltas.dice, policy.diceMargin, diceOk, label),
    metricReason('IoU', candidate.iou, production.aggregate.iou, deltas.iou, policy.iouMargin, iouOk, label),
  ]
  const perImage = perImageSummary(evaluation, production, policyTopK(policy))
  reasons.push(
    `Per image: ${String(perImage.improved)} better, ${String(perImage.regressed)} worse, ${String(perImage.unchanged)} unchanged of ${String(perImage.compared)}.`,
  )
  const images = testImages(evaluation.perImage.length)
  if (diceOk && iouOk) {
    return {
      ...base,
      deltas,
      perImage,
      pass: true,
      outcome: 'improved',
      headline: `Promote: the candidate beats ${label} on Dice (${formatDelta(deltas.dice)}) and IoU (${formatDelta(deltas.iou)}) over ${images}`,
      reasons,
    }
  }
  const failed = [diceOk ? undefined : 'Dice', iouOk ? undefined : 'IoU'].filter((name) => name !== undefined)
  return {
    ...base,
    deltas,
    perImage,
    pass: false,
    outcome: 'not-improved',
    headline: `Not promoted: ${failed.join(' and ')} did not beat ${label} by the required margin over ${images}`,
    reasons,
  }
}

/**
 * True when `delta` exceeds `margin`. A delta equal to the margin up to float noise (0.8 − 0.7 vs 0.1) is a tie,
 * and ties fail; with margin 0 any positive delta passes (strictly greater, like the old gate).
 */
export function beats(delta: number, margin: number): boolean {
  if (!(delta > margin)) return false
  if (margin === 0) return true
  return Math.abs(delta - margin) > 1e-9 * Math.max(Math.abs(delta), Math.abs(margin))
}

function policyTopK(policy: GatePolicy): number {
  return policy.perImageTopK
}

function finiteOrNull(value: number | undefined): number | null {
  return value !== undefined && Number.isFinite(value) ? value : null
}

function productionSummary(input: GateInput): GateVerdict['production'] {
  const baseline = input.baseline
  if (baseline.kind === 'none') return null
  const ref: ProductionRef | undefined = baseline.kind === 'evaluated' ? baseline.ref : baseline.ref
  const scores = baseline.kind === 'evaluated' ? baseline.evaluation.aggregate : undefined
  return {
    via: ref?.via ?? null,
    version: ref?.version ?? null,
    runId: ref?.runId ?? null,
    dice: finiteOrNull(scores?.dice),
    iou: finiteOrNull(scores?.iou),
  }
}

/** Everything wrong with an evaluation's numbers, as sentences (empty when it is usable). */
export function evaluationProblems(evaluation: ModelEvaluation, who: 'candidate' | 'production'): string[] {
  const problems: string[] = []
  for (const metric of ['dice', 'iou'] as const) {
    const value = (evaluation.aggregate as Partial<Scores>)[metric]
    const name = metric === 'dice' ? 'Dice' : 'IoU'
    if (typeof value !== 'number') problems.push(`The ${who}'s mean ${name} is missing.`)
    else if (!Number.isFinite(value)) problems.push(`The ${who}'s mean ${name} is ${String(value)}.`)
    else if (value < 0 || value > 1) problems.push(`The ${who}'s mean ${name} (${String(value)}) is outside [0, 1].`)
  }
  if (evaluation.perImage.length === 0) problems.push(`The ${who} was evaluated on no test images.`)
  const bad = evaluation.perImage.filter((image) => !validScore(image.dice) || !validScore(image.iou))
  if (bad.length > 0) {
    const names = bad.slice(0, 3).map((image) => image.id)
    const more = bad.length > 3 ? ` and ${String(bad.length - 3)} more` : ''
    problems.push(`The ${who} has invalid per-image metrics (NaN or outside [0, 1]) for ${names.join(', ')}${more}.`)
  }
  const ids = new Set(evaluation.perImage.map((image) => image.id))
  if (ids.size !== evaluation.perImage.length) problems.push(`The ${who}'s per-image results repeat an image id.`)
  return problems
}

function validScore(value: unknown): boolean {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1
}

function floorReasons(candidate: Scores, policy: GatePolicy): string[] {
  const reasons: string[] = []
  if (candidate.dice < policy.minDice) {
    reasons.push(`Dice ${formatScore(candidate.dice)} is below the minimum ${formatScore(policy.minDice)}.`)
  }
  if (candidate.iou < policy.minIou) {
    reasons.push(`IoU ${formatScore(candidate.iou)} is below the minimum ${formatScore(policy.minIou)}.`)
  }
  return reasons
}

function firstModelFloorReason(candidate: Scores, policy: GatePolicy): string | undefined {
  if (candidate.dice >= policy.firstModelMinDice) return undefined
  return `Dice ${formatScore(candidate.dice)} is below ${formatScore(policy.firstModelMinDice)}, the minimum for a model that is not compared with a production model (gate.firstModelMinDice in wms.config.json).`
}

function splitMismatch(candidate: ModelEvaluation, production: ModelEvaluation): string | undefined {
  const ours = new Set(candidate.perImage.map((image) => image.id))
  const theirs = new Set(production.perImage.map((image) => image.id))
  const onlyCandidate = [...ours].filter((id) => !theirs.has(id))
  const onlyProduction = [...theirs].filter((id) => !ours.has(id))
  if (onlyCandidate.length === 0 && onlyProduction.length === 0) return undefined
  const list = (ids: string[]) => `${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''}`
  const parts = [
    onlyCandidate.length > 0 ? `${String(onlyCandidate.length)} only for the candidate (${list(onlyCandidate)})` : '',
    onlyProduction.length > 0 ? `${String(onlyProduction.length)} only for production (${list(onlyProduction)})` : '',
  ].filter((part) => part !== '')
  return `The test images differ: ${parts.join('; ')}.`
}

function metricReason(
  name: string,
  candidate: number,
  production: number,
  delta: number,
  margin: number,
  ok: boolean,
  label: string,
): string {
  const verdict = ok ? 'better' : delta > 0 ? 'not better by more than the margin' : delta === 0 ? 'a tie' : 'worse'
  return `${name} ${formatScore(candidate)} vs ${label} ${formatScore(production)}: ${formatDelta(delta)} (needs > ${formatMargin(margin)}) — ${verdict}.`
}

const UNCHANGED = 1e-9

function perImageSummary(
  candidate: ModelEvaluation,
  production: ModelEvaluation,
  topK: number,
): NonNullable<GateVerdict['perImage']> {
  const byId = new Map(production.perImage.map((image) => [image.id, image]))
  const deltas: ImageDelta[] = []
  for (const image of candidate.perImage) {
    const before = byId.get(image.id)
    if (before === undefined) continue
    deltas.push({
      id: image.id,
      candidate: { dice: image.dice, iou: image.iou },
      production: { dice: before.dice, iou: before.iou },
      diceDelta: image.dice - before.dice,
      iouDelta: image.iou - before.iou,
    })
  }
  // IoU = Dice / (2 − Dice) per image, so ranking by Dice ranks by IoU too; ties break on the id for stability.
  const order = (a: ImageDelta, b: ImageDelta) => b.diceDelta - a.diceDelta || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  const sorted = [...deltas].sort(order)
  const improved = sorted.filter((delta) => delta.diceDelta > UNCHANGED)
  const regressed = sorted.filter((delta) => delta.diceDelta < -UNCHANGED)
  return {
    compared: deltas.length,
    improved: improved.length,
    regressed: regressed.length,
    unchanged: deltas.length - improved.length - regressed.length,
    best: improved.slice(0, topK),
    worst: regressed.reverse().slice(0, topK),
  }
}
