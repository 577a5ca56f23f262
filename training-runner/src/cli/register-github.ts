import type { GitHubNotifyCommandOptions, GitHubStatusCommandOptions } from './commands/github.js'
import type { CommandRegistrar } from './registrar.js'

/** `github notify|status` (issue 16): the GitHub side of the pipeline, for workflows and people. */
export const registerGitHubCommands: CommandRegistrar = (program, context, done) => {
  const github = program.command('github').description('the pipeline on GitHub: comments and status (GITHUB_TOKEN)')

  github
    .command('notify')
    .description(
      'comment on the PR or the pushed commit when a run did not merge: the verdict and report, the failed step with its log link',
    )
    .requiredOption('--branch <name>', 'the data branch')
    .option('--commit <sha>', 'the pushed commit (default: the run record’s, else GITHUB_SHA)')
    .option('--run-id <id>', 'the workflow run whose failed steps to name (default: GITHUB_RUN_ID)')
    .option('-w, --workspace <dir>', 'workspace root', '.')
    .action(async (options: GitHubNotifyCommandOptions) => {
      const { githubNotifyCommand } = await import('./commands/github.js')
      done(await githubNotifyCommand(options, context()))
    })

  github
    .command('status')
    .description('a data branch on GitHub: its workflow runs, jobs and steps (with log links), and its PR with checks')
    .requiredOption('--branch <name>', 'the data branch')
    .option('-w, --workspace <dir>', 'workspace root (for github.repo)', '.')
    .action(async (options: GitHubStatusCommandOptions) => {
      const { githubStatusCommand } = await import('./commands/github.js')
      done(await githubStatusCommand(options, context()))
    })
}
