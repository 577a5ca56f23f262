import { z } from 'zod'

/** What the app's workspace header shows: which repository, which branch, which remotes. */
export const WorkspaceInfoSchema = z.object({
  root: z.string(),
  name: z.string(),
  /** True for the embedded demo workspace the app creates on first start. */
  isDemo: z.boolean(),
  git: z.object({
    branch: z.string().nullable(),
    head: z.string().nullable(),
    dirty: z.boolean(),
    remotes: z.array(z.object({ name: z.string(), url: z.string() })),
  }),
  dataRemote: z.object({ kind: z.enum(['local', 's3']), display: z.string() }),
  tracking: z.object({
    kind: z.enum(['filestore', 'server']),
    display: z.string(),
    experiment: z.string(),
    registeredModel: z.string(),
    /**
     * Where the tracking URI and the experiment come from: MLflow's environment variables (`MLFLOW_TRACKING_URI`,
     * `MLFLOW_EXPERIMENT_NAME`) win over `wms.config.json`. Absent means the config.
     */
    sources: z
      .object({ uri: z.enum(['config', 'environment']), experiment: z.enum(['config', 'environment']) })
      .optional(),
  }),
  github: z.object({ repo: z.string() }).nullable(),
  pipelineRunner: z.enum(['local', 'github-actions']),
  dataset: z.object({
    root: z.string(),
    /** Pairs tracked by the dataset's `.dvc` files, when they exist. */
    trackedImages: z.number().int().nonnegative().nullable(),
  }),
})

/** The workspace summary shown in the header and the Settings area. */
export type WorkspaceInfo = z.infer<typeof WorkspaceInfoSchema>
