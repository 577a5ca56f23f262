import { z } from 'zod'

/** How the quality gate decides: both Dice and IoU must beat production by more than these margins. */
export const GatePolicySchema = z.object({
  /** Required improvement of mean test Dice over production (0 = strictly greater, like the old system). */
  diceMargin: z.number().min(0).default(0),
  /** Required improvement of mean test IoU over production. */
  iouMargin: z.number().min(0).default(0),
  /** Let a candidate pass when production exists but cannot be evaluated. Off: the gate fails closed. */
  allowUnavailableBaseline: z.boolean().default(false),
})

/** Parsed gate policy. */
export type GatePolicy = z.infer<typeof GatePolicySchema>
