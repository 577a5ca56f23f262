import { mkdir, readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { WORKSPACE_CONFIG_FILE } from '@wms/shared/config/workspace-config'
import { WmsError } from '@wms/shared/errors'
import type { WorkspaceActivity, WorkspacesView } from '@wms/shared/settings/accounts'
import { initWorkspace, openRepo, readWorkspaceInfo, runGit, type InstallHooksOptions } from 'training-runner'
import { PrivateJsonFile } from './private-json.js'

/** What the switcher needs of a workspace's services. */
export interface SwitchableServices {
  /** What is running: a pipeline run, a submission, QA. */
  activity(): Promise<WorkspaceActivity>
  dispose(): Promise<void> | void
}

/** Options of {@link WorkspaceSwitcher}. */
export interface WorkspaceSwitcherOptions<S extends SwitchableServices> {
  userDataDir: string
  initial: { root: string; services: S }
  /** Composes the services of a workspace (they start working at once: QA, the local runner). */
  open: (root: string) => Promise<S>
  /** Told after each switch (the hosts send `settings:workspace-changed`). */
  onChanged: (current: { root: string; name: string; isDemo: boolean }) => void
  /** Where a new workspace's pre-push hook finds the runner (the app's bundle is not the runner's checkout). */
  hookOptions?: InstallHooksOptions
  /** Credentials git uses to clone from GitHub over https (the stored token), when signed in. */
  gitHubToken?: () => Promise<{ token: string; webUrl: string } | undefined>
}

const RecentSchema = z.object({
  recent: z.array(z.object({ root: z.string(), name: z.string(), isDemo: z.boolean() })).max(20),
})

type WorkspaceRef = WorkspacesView['current']

/**
 * The open workspace and how it changes. A switch composes the new workspace's services first (if that fails,
 * the open one stays), then disposes the old ones: its QA pass is cancelled (the staged pairs stay in its
 * `.wms/staging` and are checked again when it is reopened), and its local pipeline runner stops. A pipeline run
 * or a submission in flight makes a switch refuse (`workspace/busy`) unless the user says to stop the run: the
 * runner then stops it at a step boundary and records it `interrupted`; reopening the workspace resumes it. A
 * submission is never cut: a commit takes seconds and a push that is interrupted is queued and resumed anyway, but
 * the user is asked to wait for it.
 */
export class WorkspaceSwitcher<S extends SwitchableServices> {
  private current: { ref: WorkspaceRef; services: S }
  private readonly recentFile: PrivateJsonFile<z.infer<typeof RecentSchema>>
  private switching: Promise<unknown> = Promise.resolve()

  private constructor(
    private readonly options: WorkspaceSwitcherOptions<S>,
    ref: WorkspaceRef,
  ) {
    this.current = { ref, services: options.initial.services }
    this.recentFile = new PrivateJsonFile(path.join(options.userDataDir, 'workspaces.json'), RecentSchema, () => ({
      recent: [],
    }))
  }

  /** A switcher over the workspace the app started with. */
  static async create<S extends SwitchableServices>(
    options: WorkspaceSwitcherOptions<S>,
  ): Promise<WorkspaceSwitcher<S>> {
    const switcher = new WorkspaceSwitcher(options, await describe(options.initial.root))
    await switcher.remember(switcher.current.ref)
    return switcher
  }

  /** The open workspace's services. */
  get services(): S {
    return this.current.services
  }

  /** The open workspace's root. */
  get root(): string {
    return this.current.ref.root
  }

  /** What Settings shows. */
  async view(): Promise<WorkspacesView> {
    const { recent } = await this.recentFile.read()
    return {
      current: this.current.ref,
      recent: recent.filter((entry) => entry.root !== this.current.ref.root),
      activity: await this.current.services.activity(),
    }
  }

  /** Opens an existing workspace (a folder with `wms.config.json`). */
  open(folder: string, stopRunning: boolean): Promise<WorkspacesView> {
    return this.serially(async () => {
      const root = await existingWorkspace(folder)
      return this.switchTo(root, stopRunning)
    })
  }

  /** Creates a workspace in an empty or missing folder (`git init`, `training-runner init`) and opens it. */
  create(
    folder: string,
    options: { name?: string | undefined; runner: 'local' | 'github-actions' },
    stopRunning: boolean,
  ): Promise<WorkspacesView> {
    return this.serially(async () => {
      const root = await emptyTarget(folder)
      await this.assertCanLeave(stopRunning)
      await mkdir(root, { recursive: true })
      await runGit('init', () => openRepo(root).raw(['init', '--initial-branch=main']))
      await initWorkspace(root, {
        ...(options.name === undefined ? {} : { name: options.name }),
        runner: options.runner,
        ...this.hookOptions(),
      })
      return this.switchTo(root, stopRunning)
    })
  }

  /** Clones a repository into an empty or missing folder, makes it a workspace if it is not one, and opens it. */
  clone(url: string, folder: string, stopRunning: boolean): Promise<WorkspacesView> {
    return this.serially(async () => {
      const root = await emptyTarget(folder)
      await this.assertCanLeave(stopRunning)
      await mkdir(path.dirname(root), { recursive: true })
      const auth = await this.cloneAuth(url)
      const git = openRepo(path.dirname(root), {
        timeoutMs: 600_000,
        ...(auth === undefined ? {} : { extraEnv: auth }),
      })
      await runGit(`clone ${redactUrl(url)}`, () => git.clone(url, root))
      const hasConfig = await stat(path.join(root, WORKSPACE_CONFIG_FILE)).then(
        () => true,
        () => false,
      )
      if (!hasConfig) await initWorkspace(root, this.hookOptions())
      return this.switchTo(root, stopRunning)
    })
  }

  /** Disposes the open workspace's services. */
  async dispose(): Promise<void> {
    await this.switching.catch(() => undefined)
    await this.current.services.dispose()
  }

  // The token reaches git through its environment (GIT_CONFIG_* → an http.extraHeader for that host only), never
  // on a command line, which every local user can read.
  private async cloneAuth(url: string): Promise<Record<string, string> | undefined> {
    const github = await this.options.gitHubToken?.()
    if (github === undefined || !/^https:\/\//i.test(url)) return undefined
    const host = new URL(github.webUrl).host
    if (new URL(url).host !== host) return undefined
    const basic = Buffer.from(`x-access-token:${github.token}`).toString('base64')
    return {
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: `http.https://${host}/.extraHeader`,
      GIT_CONFIG_VALUE_0: `Authorization: Basic ${basic}`,
      GIT_TERMINAL_PROMPT: '0',
    }
  }

  private hookOptions(): { hookOptions?: InstallHooksOptions } {
    return this.options.hookOptions === undefined ? {} : { hookOptions: this.options.hookOptions }
  }

  private serially<T>(run: () => Promise<T>): Promise<T> {
    const next = this.switching.then(run, run)
    this.switching = next.catch(() => undefined)
    return next
  }

  private async assertCanLeave(stopRunning: boolean): Promise<void> {
    const activity = await this.current.services.activity()
    if (activity.submitting) {
      throw new WmsError('workspace/busy', 'A submission is being committed and pushed in this workspace.', {
        hint: 'Wait for it to finish (Add data shows its progress), then switch.',
        retryable: true,
      })
    }
    if (activity.pipelineRun !== null && !stopRunning) {
      throw new WmsError('workspace/busy', `The pipeline is running ${activity.pipelineRun} in this workspace.`, {
        hint: 'Switching stops the run at the next step boundary; it is recorded as interrupted and resumes when you reopen this workspace. Choose "Stop the run and switch" to go ahead.',
        details: { pipelineRun: activity.pipelineRun },
      })
    }
  }

  private async switchTo(root: string, stopRunning: boolean): Promise<WorkspacesView> {
    if (root === this.current.ref.root) return this.view()
    await this.assertCanLeave(stopRunning)
    const ref = await describe(root)
    const services = await this.options.open(root)
    const old = this.current
    this.current = { ref, services }
    await old.services.dispose()
    await this.remember(ref)
    this.options.onChanged(ref)
    return this.view()
  }

  private async remember(ref: WorkspaceRef): Promise<void> {
    await this.recentFile
      .update(({ recent }) => ({ recent: [ref, ...recent.filter((entry) => entry.root !== ref.root)].slice(0, 10) }))
      .catch(() => undefined) // a recent list that cannot be written is not worth failing a switch for
  }
}

async function describe(root: string): Promise<WorkspaceRef> {
  const info = await readWorkspaceInfo(root)
  return { root, name: info.name, isDemo: info.isDemo }
}

function absolute(folder: string): string {
  if (!path.isAbsolute(folder)) {
    throw new WmsError('usage/invalid-arguments', `${folder} is not an absolute path.`, {
      hint: 'Give the full path of the folder, e.g. /home/you/wms-data.',
    })
  }
  return path.resolve(folder)
}

async function existingWorkspace(folder: string): Promise<string> {
  const root = absolute(folder)
  const stats = await stat(path.join(root, WORKSPACE_CONFIG_FILE)).catch(() => undefined)
  if (stats === undefined) {
    throw new WmsError('workspace/not-found', `${root} is not a WMS workspace (it has no ${WORKSPACE_CONFIG_FILE}).`, {
      hint: 'Choose the folder that holds wms.config.json, or create a workspace there.',
    })
  }
  return root
}

async function emptyTarget(folder: string): Promise<string> {
  const root = absolute(folder)
  const entries = await readdir(root).catch((thrown: unknown) => {
    if ((thrown as NodeJS.ErrnoException).code === 'ENOENT') return []
    if ((thrown as NodeJS.ErrnoException).code === 'ENOTDIR') return ['(a file)']
    throw thrown
  })
  if (entries.length > 0) {
    throw new WmsError('workspace/exists', `${root} is not empty; a new workspace needs an empty or new folder.`, {
      hint: 'Choose a new folder name, or open the folder if it already is a workspace.',
    })
  }
  return root
}

/** A repository address without user info (it may hold a password). */
function redactUrl(url: string): string {
  return url.replace(/\/\/[^/@\s]+@/, '//')
}
