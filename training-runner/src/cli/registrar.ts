import type { Command } from 'commander'
import type { CommandContext, CommandOutcome } from './context.js'

/** What every command group's registrar receives: the program, the context factory, and where outcomes go. */
export interface CommandRegistrar {
  (program: Command, context: () => CommandContext, done: (outcome: CommandOutcome) => void): void
}
