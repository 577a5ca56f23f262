import type { SeedJob, SeedStep } from 'training-runner/test-support'

/**
 * The data-pipeline workflow's jobs and steps (`resources/workflows/data-pipeline.yml`, names verbatim) as GitHub
 * Actions lists them once a run has finished: every job with its steps, the ones that did not run `skipped`.
 */

type Outcome = 'passed' | 'rejected'

const ok = (name: string, seconds = 2): SeedStep => ({ name, conclusion: 'success', seconds })
const setUp = ok('Set up job', 1)
const complete = ok('Complete job', 1)
const checkout = ok('Check out the workspace', 3)
const studio = ok('Check out WMS Studio', 4)
const node = ok('Run actions/setup-node@v4', 5)

function qaJob(): SeedJob {
  return {
    name: 'Merge and QA',
    conclusion: 'success',
    steps: [
      setUp,
      checkout,
      studio,
      node,
      ok('AWS credentials (DVC remote)'),
      ok('Install the runner', 40),
      ok("Merge the branch into main's dataset (pointer files only)", 12),
      ok('QA over the merged dataset', 25),
      ok('Keep the run record'),
      complete,
    ],
  }
}

const startGpuJob = (): SeedJob => ({
  name: 'Start the GPU host',
  conclusion: 'success',
  steps: [setUp, ok('AWS credentials (EC2)'), ok('Start an EC2 GPU runner for this run', 95), complete],
})

const stopGpuJob = (): SeedJob => ({
  name: 'Terminate the GPU host',
  conclusion: 'success',
  steps: [setUp, ok('AWS credentials (EC2)'), ok('Terminate the instance and remove its runner', 20), complete],
})

/** The GPU job: training always finishes here; a rejected gate fails its step, so `Promote` is skipped. */
function trainJob(outcome: Outcome): SeedJob {
  const rejected = outcome === 'rejected'
  return {
    name: 'Train, gate and promote on the GPU host',
    conclusion: rejected ? 'failure' : 'success',
    steps: [
      setUp,
      checkout,
      studio,
      node,
      ok('Install the runner (with tfjs-node-gpu)', 60),
      ok('Fetch the run record', 1),
      ok('Train the candidate on the merged dataset', 240),
      rejected
        ? { name: 'Gate (candidate vs production, same test split)', conclusion: 'failure', seconds: 30 }
        : ok('Gate (candidate vs production, same test split)', 30),
      rejected ? { name: 'Promote', conclusion: 'skipped', seconds: 0 } : ok('Promote', 6),
      ok('Keep the run record'),
      complete,
    ],
  }
}

/** Publish needs the GPU job: after a rejection GitHub skips it and lists it without steps. */
function publishJob(outcome: Outcome): SeedJob {
  if (outcome === 'rejected') return { name: 'Publish (PR to main, merge)', conclusion: 'skipped', steps: [] }
  return {
    name: 'Publish (PR to main, merge)',
    conclusion: 'success',
    steps: [
      setUp,
      checkout,
      studio,
      node,
      ok('AWS credentials (DVC remote)'),
      ok('Install the runner', 40),
      ok('Fetch the run record', 1),
      ok('Publish through a pull request', 35),
      ok('Keep the run record'),
      complete,
    ],
  }
}

function notifyJob(): SeedJob {
  return {
    name: 'Tell the pusher',
    conclusion: 'success',
    steps: [
      setUp,
      studio,
      node,
      ok('Install the runner', 40),
      ok('Fetch the run record', 1),
      ok('Comment on the PR or the pushed commit', 3),
      complete,
    ],
  }
}

/** Every job of a finished data-pipeline run that passed (and was published) or whose candidate the gate rejected. */
export function dataPipelineJobs(outcome: Outcome): SeedJob[] {
  return [qaJob(), startGpuJob(), trainJob(outcome), stopGpuJob(), publishJob(outcome), notifyJob()]
}
