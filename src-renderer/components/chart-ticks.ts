/**
 * An axis' domain and ticks, worked out here rather than by recharts: with an 'auto' domain recharts finds round
 * ticks with decimal.js, which took a third of a training chart's drawing time (50–75 ms of a 125 ms task). Plain
 * floating point is enough for an axis: about `count` ticks on round steps (1, 2, 2.5 or 5 times a power of ten)
 * that cover every value.
 */
export interface AxisScale {
  domain: [number, number]
  ticks: number[]
}

/** Round ticks covering [min, max] (an empty range gets one tick); `integer` keeps steps whole (epochs). */
export function niceScale(min: number, max: number, count = 5, integer = false): AxisScale {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max < min) return { domain: [0, 1], ticks: [0, 1] }
  if (max === min) return { domain: [min, max], ticks: [min] }
  let step = niceStep((max - min) / Math.max(1, count - 1))
  if (integer) step = Math.max(1, Math.round(step))
  const low = Math.floor(min / step) * step
  const high = Math.ceil(max / step) * step
  const ticks: number[] = []
  // Rounded to the step's decimals, so 0.1 + 0.2 shows as 0.3.
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1)
  for (let index = 0; low + index * step <= high + step / 2; index += 1)
    ticks.push(Number((low + index * step).toFixed(decimals)))
  return { domain: [ticks[0] ?? low, ticks.at(-1) ?? high], ticks }
}

/**
 * Ticks for an axis that starts and ends at the data (an x axis from epoch 1 to the last): both ends, and the
 * round ticks between them that are not crowding an end (a quarter step or more away).
 */
export function innerTicks(first: number, last: number, count = 5, integer = false): AxisScale {
  // One value: a domain around it, so the scale has a width and the point sits in the middle.
  if (!(last > first)) return { domain: [first - 1, first + 1], ticks: [first] }
  const { ticks } = niceScale(first, last, count, integer)
  const step = (ticks[1] ?? last) - (ticks[0] ?? first)
  const inside = ticks.filter((tick) => tick - first >= step / 4 && last - tick >= step / 4)
  return { domain: [first, last], ticks: [first, ...inside, last] }
}

function niceStep(rough: number): number {
  const power = 10 ** Math.floor(Math.log10(rough))
  const fraction = rough / power
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 2.5 ? 2.5 : fraction <= 5 ? 5 : 10
  return nice * power
}
