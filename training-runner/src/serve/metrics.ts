import * as tf from '@tensorflow/tfjs'
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'

/** Why a prediction request failed, as the `reason` label of `wms_predict_errors_total`. */
export type PredictErrorReason = 'bad_input' | 'too_large' | 'overloaded' | 'not_ready' | 'internal'

/**
 * The old API's four metrics with the same names and meanings (`seed-system.md` §8.5), each labelled with the model
 * version, so a promotion shows in Grafana as a new series:
 * - `wms_predictions_total` — successful predictions only;
 * - `wms_predict_latency_seconds` — latency of successful predictions (default buckets, as before);
 * - `wms_predict_errors_total` — failed prediction requests (plus a `reason` label: bad input, overload…);
 * - `wms_model_loaded` — 1 for the version being served, 0 (label `none`) while nothing is loaded.
 * Plus `wms_tf_tensors` (live TensorFlow.js tensors: flat under steady load, or something leaks) and Node's process
 * metrics. Each server has its own registry, so several can run in one process (tests).
 */
export class ServeMetrics {
  readonly registry = new Registry()
  private readonly predictions: Counter<'model_version'>
  private readonly latency: Histogram<'model_version'>
  private readonly errors: Counter<'model_version' | 'reason'>
  private readonly loaded: Gauge<'model_version'>
  private loadedVersion = 'none'

  constructor() {
    const registers = [this.registry]
    this.predictions = new Counter({
      name: 'wms_predictions_total',
      help: 'Successful predictions',
      labelNames: ['model_version'],
      registers,
    })
    this.latency = new Histogram({
      name: 'wms_predict_latency_seconds',
      help: 'Latency of successful predictions (decode, inference, PNG encoding), in seconds',
      labelNames: ['model_version'],
      registers,
    })
    this.errors = new Counter({
      name: 'wms_predict_errors_total',
      help: 'Failed prediction requests, by reason',
      labelNames: ['model_version', 'reason'],
      registers,
    })
    this.loaded = new Gauge({
      name: 'wms_model_loaded',
      help: 'Whether a model is loaded (1) or not (0), by the version served',
      labelNames: ['model_version'],
      registers,
    })
    this.loaded.set({ model_version: 'none' }, 0)
    new Gauge({
      name: 'wms_tf_tensors',
      help: 'TensorFlow.js tensors alive (steady under load, or something leaks)',
      registers,
      collect() {
        this.set(tf.memory().numTensors)
      },
    })
    collectDefaultMetrics({ register: this.registry })
  }

  predicted(version: string, seconds: number): void {
    this.predictions.inc({ model_version: version })
    this.latency.observe({ model_version: version }, seconds)
  }

  failed(version: string | undefined, reason: PredictErrorReason): void {
    this.errors.inc({ model_version: version ?? 'none', reason })
  }

  /** The version now served (or undefined: none); the previous version's series is removed. */
  modelLoaded(version: string | undefined): void {
    this.loaded.remove({ model_version: this.loadedVersion })
    this.loadedVersion = version ?? 'none'
    this.loaded.set({ model_version: this.loadedVersion }, version === undefined ? 0 : 1)
  }
}
