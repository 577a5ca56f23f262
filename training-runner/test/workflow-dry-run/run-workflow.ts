import { spawn } from 'node:child_process'
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parse } from 'yaml'
import type { GitHubTestServer } from '../github-test-server/github-test-server.js'
import { gitEnv } from '../github-test-server/git-env.js'
import { condition, interpolate, type StatusContext, type Value } from './expressions.js'

/**
 * Runs a workflow file on this machine the way Actions would: jobs in `needs` order, each in its own fresh folder
 * (as on a new runner), `if:` conditions evaluated, `run:` steps executed by bash in order with the workflow's,
 * job's and step's `env`, `$GITHUB_OUTPUT` read back. The `uses:` steps are simulated — checkout clones the origin at
 * the pushed commit, artifacts are copied through a folder (so state crosses jobs only as in CI), the EC2 runner
 * action records its start and stop — and any other action fails the dry run. The runner's install steps
 * (`id: install-runner`) are skipped: `training-runner` on the PATH is this checkout's CLI from source.
 * The GitHub test server stands in for GitHub: it gets the workflow run and its jobs and steps as they finish.
 */

/** One executed (or skipped) step. */
export interface DryRunStep {
  name: string
  kind: 'run' | 'uses' | 'install'
  outcome: 'success' | 'failure' | 'skipped'
  seconds: number
  output: string
}

/** One job and how it ended. */
export interface DryRunJob {
  id: string
  name: string
  result: 'success' | 'failure' | 'skipped'
  runsOn: string
  steps: DryRunStep[]
}

/** What the dry run did. */
export interface DryRunResult {
  jobs: DryRunJob[]
  gpu: { started: string[]; stopped: string[] }
  runId: number
}

/** Options of {@link dryRunWorkflow}. */
export interface DryRunOptions {
  workflowFile: string
  /** Where job folders and artifacts go (the origin's siblings, so the workspace's relative paths hold). */
  base: string
  origin: string
  branch: string
  commit: string
  repository: string
  vars: Record<string, string>
  secrets: Record<string, string>
  token: string
  github: GitHubTestServer
  /** A folder with the `training-runner` command to put first on the PATH. */
  binDir: string
  /** Extra environment for every step (test speed-ups). */
  env?: Record<string, string>
}

interface StepSpec {
  name?: string
  id?: string
  uses?: string
  run?: string
  if?: string
  with?: Record<string, string | number | boolean>
  env?: Record<string, string>
  'continue-on-error'?: boolean
}

interface JobSpec {
  name?: string
  needs?: string | string[]
  if?: string
  'runs-on': string | string[]
  env?: Record<string, string>
  outputs?: Record<string, string>
  steps: StepSpec[]
}

interface WorkflowSpec {
  env?: Record<string, string>
  jobs: Record<string, JobSpec>
}

const GPU_LABEL = 'wms-dry-run-gpu'
const GPU_INSTANCE = 'i-0dryrun0000000000'

/** Job ids in `needs` order (YAML order among equals). */
function jobOrder(jobs: Record<string, JobSpec>): string[] {
  const order: string[] = []
  const visit = (id: string, trail: string[]): void => {
    if (order.includes(id)) return
    if (trail.includes(id)) throw new Error(`needs cycle: ${[...trail, id].join(' → ')}`)
    const job = jobs[id]
    if (job === undefined) throw new Error(`unknown job ${id} in needs`)
    for (const need of [job.needs ?? []].flat()) visit(need, [...trail, id])
    order.push(id)
  }
  for (const id of Object.keys(jobs)) visit(id, [])
  return order
}

function evaluateMap(
  map: Record<string, unknown> | undefined,
  context: Record<string, Value>,
  status: StatusContext,
): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(map ?? {}))
    out[name] = interpolate(typeof value === 'string' ? value : JSON.stringify(value), context, status)
  return out
}

function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const at = line.indexOf('=')
    if (at > 0) outputs[line.slice(0, at)] = line.slice(at + 1)
  }
  return outputs
}

async function runBash(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  const file = path.join(cwd, '..', `step-${String(Date.now())}-${String(Math.random()).slice(2, 8)}.sh`)
  await writeFile(file, script)
  return new Promise((resolve) => {
    const child = spawn('bash', ['--noprofile', '--norc', '-eo', 'pipefail', file], { cwd, env })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')))
    child.on('close', (code) => {
      void rm(file, { force: true })
      resolve({ code: code ?? 1, output })
    })
  })
}

/** See the module comment. */
export async function dryRunWorkflow(options: DryRunOptions): Promise<DryRunResult> {
  const workflow = parse(await readFile(options.workflowFile, 'utf8')) as WorkflowSpec
  const artifacts = path.join(options.base, 'artifacts')
  const gpu = { started: [] as string[], stopped: [] as string[] }
  const results: Record<string, { result: DryRunJob['result']; outputs: Record<string, string> }> = {}
  const jobs: DryRunJob[] = []
  const runId = options.github.repository.addRun({
    branch: options.branch,
    headSha: options.commit,
    status: 'in_progress',
    conclusion: null,
    jobs: [],
  })
  const github: Record<string, Value> = {
    ref_name: options.branch,
    ref: `refs/heads/${options.branch}`,
    sha: options.commit,
    repository: options.repository,
    run_id: String(runId),
    token: options.token,
    event_name: 'push',
  }
  const base: Record<string, Value> = { github, vars: options.vars, secrets: options.secrets }
  const workflowEnv = evaluateMap(workflow.env, { ...base, env: {} }, { success: true, cancelled: false })

  for (const id of jobOrder(workflow.jobs)) {
    const job = workflow.jobs[id] as JobSpec
    const needs = [job.needs ?? []].flat()
    const needsContext: Record<string, Value> = {}
    for (const need of needs)
      needsContext[need] = { result: results[need]?.result ?? 'skipped', outputs: results[need]?.outputs ?? {} }
    const jobStatus = { success: needs.every((need) => results[need]?.result === 'success'), cancelled: false }
    const jobContext: Record<string, Value> = { ...base, env: workflowEnv, needs: needsContext }
    const name = job.name ?? id
    if (!condition(job.if, jobContext, jobStatus)) {
      results[id] = { result: 'skipped', outputs: {} }
      jobs.push({ id, name, result: 'skipped', runsOn: '', steps: [] })
      continue
    }
    const runsOn = [job['runs-on']]
      .flat()
      .map((label) => interpolate(label, jobContext, jobStatus))
      .join(',')
    const jobEnv = { ...workflowEnv, ...evaluateMap(job.env, jobContext, jobStatus) }
    const workspace = path.join(options.base, `job-${id}`)
    await rm(workspace, { recursive: true, force: true })
    await mkdir(workspace, { recursive: true })
    const files = path.join(options.base, `job-${id}-files`)
    await mkdir(files, { recursive: true })
    const steps: DryRunStep[] = []
    const stepOutputs: Record<string, Value> = {}
    const state = { failed: false }
    options.github.repository.updateRun(runId, (run) => {
      run.jobs.push({ name, status: 'in_progress', conclusion: null, steps: [] })
    })
    for (const step of job.steps) {
      const stepContext: Record<string, Value> = { ...jobContext, env: jobEnv, steps: stepOutputs }
      const stepName = step.name ?? step.uses ?? step.run?.split('\n')[0] ?? 'step'
      const started = Date.now()
      const done = (kind: DryRunStep['kind'], outcome: DryRunStep['outcome'], output = ''): void => {
        steps.push({ name: stepName, kind, outcome, seconds: (Date.now() - started) / 1000, output })
        if (outcome === 'failure' && step['continue-on-error'] !== true) state.failed = true
      }
      if (!condition(step.if, stepContext, { success: !state.failed, cancelled: false })) {
        done(step.uses === undefined ? 'run' : 'uses', 'skipped')
        continue
      }
      const withInputs = evaluateMap(step.with, stepContext, {
        success: !state.failed,
        cancelled: false,
      })
      if (step.uses !== undefined) {
        const outcome = await simulateAction(step.uses, withInputs, { options, workspace, artifacts, gpu })
        if (step.id !== undefined)
          stepOutputs[step.id] = { outputs: outcome.outputs, outcome: outcome.ok ? 'success' : 'failure' }
        done('uses', outcome.ok ? 'success' : 'failure', outcome.message)
        continue
      }
      if (step.id === 'install-runner') {
        done('install', 'skipped')
        continue
      }
      const outputFile = path.join(files, 'output')
      await writeFile(outputFile, '')
      const env: NodeJS.ProcessEnv = {
        ...gitEnv(),
        ...Object.fromEntries(
          Object.entries(process.env).filter(([key]) => !key.startsWith('GITHUB_') && !key.startsWith('GIT_')),
        ),
        CI: 'true',
        GITHUB_ACTIONS: 'true',
        GITHUB_REPOSITORY: options.repository,
        GITHUB_SHA: options.commit,
        GITHUB_REF: `refs/heads/${options.branch}`,
        GITHUB_REF_NAME: options.branch,
        GITHUB_RUN_ID: String(runId),
        GITHUB_SERVER_URL: 'https://github.test',
        GITHUB_API_URL: options.github.url,
        GITHUB_WORKSPACE: workspace,
        GITHUB_OUTPUT: outputFile,
        GITHUB_PATH: path.join(files, 'path'),
        GITHUB_ENV: path.join(files, 'env'),
        RUNNER_TEMP: files,
        ...jobEnv,
        ...evaluateMap(step.env, stepContext, { success: !state.failed, cancelled: false }),
        ...options.env,
        PATH: `${options.binDir}${path.delimiter}${process.env.PATH ?? ''}`,
      }
      const script = interpolate(step.run ?? '', stepContext, { success: !state.failed, cancelled: false })
      const { code, output } = await runBash(script, workspace, env)
      if (step.id !== undefined) stepOutputs[step.id] = { outputs: parseOutputs(await readFile(outputFile, 'utf8')) }
      done('run', code === 0 ? 'success' : 'failure', output)
    }
    const result = state.failed ? 'failure' : 'success'
    const outputsContext: Record<string, Value> = { ...jobContext, env: jobEnv, steps: stepOutputs }
    results[id] = { result, outputs: evaluateMap(job.outputs, outputsContext, { success: true, cancelled: false }) }
    jobs.push({ id, name, result, runsOn, steps })
    options.github.repository.updateRun(runId, (run) => {
      const entry = run.jobs.find((item) => item.name === name)
      if (entry === undefined) return
      entry.status = 'completed'
      entry.conclusion = result
      entry.steps = steps.map((step) => ({
        name: step.name,
        conclusion: step.outcome === 'skipped' ? 'skipped' : step.outcome,
        seconds: Math.round(step.seconds),
      }))
    })
  }
  return { jobs, gpu, runId }
}

/** The `uses:` steps the dry run knows how to stand in for. */
async function simulateAction(
  uses: string,
  inputs: Record<string, string>,
  at: { options: DryRunOptions; workspace: string; artifacts: string; gpu: DryRunResult['gpu'] },
): Promise<{ ok: boolean; outputs: Record<string, string>; message: string }> {
  const action = uses.split('@')[0]
  const ok = (
    message: string,
    outputs: Record<string, string> = {},
  ): { ok: boolean; outputs: Record<string, string>; message: string } => ({ ok: true, outputs, message })
  switch (action) {
    case 'actions/checkout': {
      // The runner comes from this checkout (binDir); only the workspace itself is cloned.
      if (inputs.path !== undefined) return ok(`skipped: ${inputs.repository ?? ''} is this checkout`)
      await runBash(
        `git clone --quiet "${at.options.origin}" . && git checkout --quiet "${at.options.commit}"`,
        at.workspace,
        gitEnv(),
      )
      return ok(`cloned the origin at ${at.options.commit.slice(0, 12)}`)
    }
    case 'actions/setup-node':
      return ok('this Node')
    case 'aws-actions/configure-aws-credentials':
      return ok('the DVC remote and MLflow are local folders')
    case 'actions/upload-artifact': {
      const target = path.join(at.artifacts, inputs.name ?? 'artifact')
      if (inputs.overwrite === 'true') await rm(target, { recursive: true, force: true })
      const pattern = inputs.path ?? ''
      const folder = path.join(at.workspace, path.dirname(pattern))
      const suffix = path.basename(pattern)
      if (suffix !== '*.*') throw new Error(`the dry run copies "<folder>/*.*" artifacts only, not ${pattern}`)
      const names = await readdir(folder).catch(() => [] as string[])
      await mkdir(target, { recursive: true })
      for (const name of names.filter((file) => file.includes('.')))
        await cp(path.join(folder, name), path.join(target, name))
      return ok(`uploaded ${String(names.length)} files`)
    }
    case 'actions/download-artifact': {
      const source = path.join(at.artifacts, inputs.name ?? 'artifact')
      const names = await readdir(source).catch(() => undefined)
      if (names === undefined) return { ok: false, outputs: {}, message: `no artifact ${inputs.name ?? ''}` }
      await cp(source, path.join(at.workspace, inputs.path ?? '.'), { recursive: true })
      return ok(`downloaded ${String(names.length)} files`)
    }
    case 'machulav/ec2-github-runner': {
      if (inputs.mode === 'start') {
        if ((inputs['ec2-image-id'] ?? '') === '') return { ok: false, outputs: {}, message: 'no ec2-image-id' }
        at.gpu.started.push(GPU_INSTANCE)
        return ok('started', { label: GPU_LABEL, 'ec2-instance-id': GPU_INSTANCE })
      }
      if (inputs.mode === 'stop' && inputs.label === GPU_LABEL && inputs['ec2-instance-id'] !== undefined) {
        at.gpu.stopped.push(inputs['ec2-instance-id'])
        return ok('terminated')
      }
      return { ok: false, outputs: {}, message: `unexpected ec2-github-runner inputs ${JSON.stringify(inputs)}` }
    }
    default:
      throw new Error(`the dry run does not know the action ${uses}: teach simulateAction what it does`)
  }
}

export { GPU_INSTANCE, GPU_LABEL }
