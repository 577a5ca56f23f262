import { z } from 'zod'
import { configObject } from './strict-object.js'

/** Default of {@link GatePolicySchema}'s `firstModelMinDice`. */
export const FIRST_MODEL_MIN_DICE = 0.5

/**
 * How the quality gate decides: the candidate and production are evaluated on the same test split, and both mean
 * Dice and mean IoU must beat production by more than these margins.
 */
export const GatePolicySchema = configObject({
  /** Required improvement of mean test Dice over production (0 = strictly greater, like the old system). */
  diceMargin: z.number().min(0).default(0),
  /** Required improvement of mean test IoU over production. */
  iouMargin: z.number().min(0).default(0),
  /** Let a candidate pass when production exists but cannot be evaluated. Off: the gate fails closed. */
  allowUnavailableBaseline: z.boolean().default(false),
  /** Absolute floor on the candidate's mean test Dice, also for the first model (0 = no floor). */
  minDice: z.number().min(0).max(1).default(0),
  /** Absolute floor on the candidate's mean test IoU, also for the first model (0 = no floor). */
  minIou: z.number().min(0).max(1).default(0),
  /**
   * Mean test Dice a candidate needs when nothing is compared with it — the first model, or a bootstrap pass —
   * so a model that learned nothing (Dice 0) never becomes production. 0.5 is where the old system's own scale
   * stopped calling a model "poor".
   */
  firstModelMinDice: z.number().min(0).max(1).default(FIRST_MODEL_MIN_DICE),
  /** How many most-improved and most-regressed test images the verdict lists. */
  perImageTopK: z.number().int().min(0).max(50).default(5),
})

/** Parsed gate policy. */
export type GatePolicy = z.infer<typeof GatePolicySchema>
