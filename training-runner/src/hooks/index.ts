/**
 * The git pre-push hook as a library — what `training-runner init` (installing it) and the CLI's `hooks` commands
 * call. The shim git runs is `hooks/pre-push` at the top of this checkout; docs/HOOK.md describes the behaviour.
 */
export {
  HOOK_MARKER,
  installHooks,
  uninstallHooks,
  type InstallHooksOptions,
  type InstallHooksResult,
  type UninstallHooksResult,
} from './install.js'
export {
  INNER_PUSH_ENV,
  runPrePush,
  type PrePushInput,
  type PrePushOutcome,
  type PrePushResult,
  type RefusalReason,
} from './pre-push.js'
