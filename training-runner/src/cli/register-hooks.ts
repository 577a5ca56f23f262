import type { CommandRegistrar } from './registrar.js'

/** `hooks …`: the git pre-push hook that turns a push of new data to main into a data branch. */
export const registerHooksCommands: CommandRegistrar = (program, context, done) => {
  const hooks = program
    .command('hooks')
    .description('the git pre-push hook: a push of new data to main becomes a QA-checked data/… branch')
  const repoOption = ['-C, --repo <dir>', 'the git repository (workspace)', '.'] as const

  hooks
    .command('pre-push')
    .description("what the installed hook runs: reads git's ref lines on stdin (not for direct use)")
    .argument('[remote]', 'the remote name git passes', 'origin')
    .argument('[url]', 'the remote URL git passes', '')
    .action(async (remote: string, url: string) => {
      const { hooksPrePushCommand } = await import('./commands/hooks.js')
      done(await hooksPrePushCommand(remote, url, context()))
    })

  hooks
    .command('install')
    .description('install the pre-push hook (keeps an existing hook and runs it first; works with husky)')
    .option(...repoOption)
    .option('--node <path>', 'node binary the hook uses (default: this one)')
    .option('--runner <path>', "runner CLI script the hook uses (default: this checkout's)")
    .action(async (options: { repo: string; node?: string; runner?: string }) => {
      const { hooksInstallCommand } = await import('./commands/hooks.js')
      done(await hooksInstallCommand(options, context()))
    })

  hooks
    .command('uninstall')
    .description('remove the pre-push hook and put back the hook it replaced')
    .option(...repoOption)
    .action(async (options: { repo: string }) => {
      const { hooksUninstallCommand } = await import('./commands/hooks.js')
      done(await hooksUninstallCommand(options, context()))
    })
}
