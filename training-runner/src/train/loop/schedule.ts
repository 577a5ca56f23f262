/**
 * Learning-rate schedule and early stopping on the validation loss, as pure state machines with PyTorch's
 * semantics (`ReduceLROnPlateau(mode='min', factor, patience, threshold=1e-4 rel, min_lr)` and the old
 * `train.py` early stopping: stop after `patience` epochs without a strictly lower validation loss). Their
 * state is plain data, saved in checkpoints.
 */

export interface PlateauState {
  learningRate: number
  best: number
  badEpochs: number
}

export interface PlateauOptions {
  factor: number
  patience: number
  minLearningRate: number
  /** Relative improvement needed to count as better (PyTorch's default 1e-4). */
  threshold?: number
}

export function initialPlateau(learningRate: number): PlateauState {
  return { learningRate, best: Number.POSITIVE_INFINITY, badEpochs: 0 }
}

/** One epoch's step: returns the next state (the learning rate drops after more than `patience` bad epochs). */
export function stepPlateau(state: PlateauState, metric: number, options: PlateauOptions): PlateauState {
  const threshold = options.threshold ?? 1e-4
  if (metric < state.best * (1 - threshold)) return { ...state, best: metric, badEpochs: 0 }
  const badEpochs = state.badEpochs + 1
  if (badEpochs <= options.patience) return { ...state, badEpochs }
  const reduced = Math.max(state.learningRate * options.factor, options.minLearningRate)
  // PyTorch ignores reductions smaller than eps = 1e-8.
  const learningRate = state.learningRate - reduced > 1e-8 ? reduced : state.learningRate
  return { ...state, learningRate, badEpochs: 0 }
}

export interface EarlyStoppingState {
  best: number
  bestEpoch: number
  epochsWithoutImprovement: number
}

export function initialEarlyStopping(): EarlyStoppingState {
  return { best: Number.POSITIVE_INFINITY, bestEpoch: 0, epochsWithoutImprovement: 0 }
}

/** Records epoch `epoch`'s validation loss; `improved` says whether it is the new best (checkpoint it). */
export function stepEarlyStopping(
  state: EarlyStoppingState,
  epoch: number,
  loss: number,
  patience: number,
): { state: EarlyStoppingState; improved: boolean; stop: boolean } {
  if (loss < state.best) {
    return { state: { best: loss, bestEpoch: epoch, epochsWithoutImprovement: 0 }, improved: true, stop: false }
  }
  const epochsWithoutImprovement = state.epochsWithoutImprovement + 1
  return {
    state: { ...state, epochsWithoutImprovement },
    improved: false,
    stop: epochsWithoutImprovement >= patience,
  }
}
