import type { AppError } from '@wms/shared/errors'

/** Try a model folder on one staged photo and compare with its mask (see `services/models/try-on-photo.ts`). */
export interface InferenceJob {
  type: 'try'
  jobId: number
  modelDir: string
  image: string
  mask: string
}

/** Messages from the main thread to the inference worker. */
export type ToInferenceWorker = InferenceJob

/** The worker's answer: the comparison (overlays as PNG bytes), or the failure as data. */
export type FromInferenceWorker =
  | {
      type: 'done'
      jobId: number
      result: {
        width: number
        height: number
        foreground: number
        dice: number
        iou: number
        predictedOverlay: Uint8Array
        differenceOverlay: Uint8Array
        seconds: number
      }
    }
  | { type: 'failed'; jobId: number; error: AppError }
