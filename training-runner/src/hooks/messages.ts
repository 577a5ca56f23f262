import type { PushContent } from './push-plan.js'

/**
 * What the hook tells the person pushing. git prints a hook's output to the terminal or the GUI client's log, then
 * its own "failed to push some refs" when the hook stops the push; every message says which of the two happened
 * on purpose, what state things are in, and the one or two commands to go on with.
 */

const TITLE = 'WMS Studio pre-push hook'
const EXPECTED = 'git will now report "failed to push some refs": that is expected, nothing went wrong.'

const list = (items: readonly string[], limit = 8): string[] => {
  const shown = items.slice(0, limit).map((item) => `    ${item}`)
  if (items.length > limit) shown.push(`    … and ${String(items.length - limit)} more`)
  return shown
}

const short = (sha: string): string => sha.slice(0, 9)

/** Facts of a successful move, for {@link movedMessage}. */
export interface MovedFacts {
  remote: string
  branch: string | undefined
  alreadyOn: readonly string[]
  files: number
  pairs: number
  qaSummary: string | undefined
  againstNote: string | undefined
  movedRef: string | undefined
  moveNote: string | undefined
  resetTo: string
  otherRefs: readonly string[]
}

/** The main case: the data went to a data branch and main's push was stopped. */
export function movedMessage(facts: MovedFacts): string {
  const lines = [TITLE]
  if (facts.branch !== undefined) {
    lines.push(
      `  New data in this push to main: ${String(facts.pairs)} pair(s), ${String(facts.files)} file(s).`,
      ...(facts.qaSummary === undefined ? [] : [`  QA: ${facts.qaSummary}.`]),
      ...(facts.againstNote === undefined ? [] : [`  QA note: ${facts.againstNote}.`]),
      `  ✔ Pushed them to ${facts.remote} as the data branch ${facts.branch}`,
      `    (${facts.remote}'s main plus only these files; the pipeline merges it into the dataset).`,
    )
  }
  if (facts.alreadyOn.length > 0) {
    lines.push(
      `  ${facts.branch === undefined ? 'All the data in this push is' : 'Some of it was'} already on ${facts.remote}: ${facts.alreadyOn.join(', ')}.`,
      '    Nothing was pushed twice.',
    )
  }
  lines.push('  ✘ The push to main was stopped: raw data never goes to main.')
  if (facts.movedRef !== undefined) {
    const name =
      facts.movedRef === 'HEAD' ? 'Your detached HEAD' : `Your ${facts.movedRef.replace(/^refs\/heads\//, '')}`
    lines.push(
      `  ${name} is back at ${short(facts.resetTo)} (${facts.remote}'s main, before the data commits).`,
      '    Your files stay in your dataset folder; git no longer tracks them there.',
    )
  } else if (facts.moveNote !== undefined) {
    lines.push(
      `  Nothing was moved back: ${facts.moveNote}.`,
      `    To drop the data commits yourself: git reset --keep ${short(facts.resetTo)}`,
    )
  }
  if (facts.otherRefs.length > 0) {
    lines.push(
      `  The other refs of this push were not pushed either; push them again: git push ${facts.remote} ${facts.otherRefs.join(' ')}`,
    )
  }
  lines.push(
    'Next:',
    facts.branch === undefined
      ? '  Nothing to do for the data. Code changes go to main with a plain git push.'
      : `  Follow ${facts.branch} in WMS Studio (Pipeline) or in CI. Code changes go to main with a plain git push.`,
    EXPECTED,
  )
  return lines.join('\n')
}

/** A push that mixes new data with other changes. */
export function mixedMessage(content: PushContent, root: string, remoteMain: string): string {
  const data = `${root === '' ? '' : `${root}/`}images ${root === '' ? '' : `${root}/`}masks`
  return [
    TITLE,
    `  This push to main mixes new data (${String(content.newData.length)} file(s)) with other changes:`,
    ...list(content.other),
    '  ✘ Stopped; nothing was pushed or moved. Data goes to a data branch and code to main, so push them apart:',
    `    git reset --soft ${short(remoteMain)}       # undo the commits, keep every change staged`,
    `    git restore --staged ${data}`,
    '    git commit -m "<your message>" && git push     # the code goes to main',
    `    git add -f ${data} && git commit -m "data: new pairs" && git push   # the hook moves the data`,
    EXPECTED,
  ].join('\n')
}

/** A push that deletes, renames or rewrites files of the dataset that main already has. */
export function removesDataMessage(content: PushContent, remoteMain: string): string {
  const changes = [
    ...content.removed.map((file) => `deleted  ${file}`),
    ...content.renamed.map((rename) => `renamed  ${rename.from} → ${rename.to}`),
    ...content.changed.map((file) => `changed  ${file}`),
  ]
  const paths = [...content.removed, ...content.renamed.map((rename) => rename.from), ...content.changed]
  return [
    TITLE,
    '  This push to main deletes, renames or changes dataset files that main already has:',
    ...list(changes),
    '  ✘ Stopped; nothing was pushed. The dataset only grows through data branches (the merge is append-only):',
    '    a rename would add the pair a second time, a deletion would not remove it from the dataset.',
    '  What to do:',
    `    - keep them: git checkout ${short(remoteMain)} -- ${paths.slice(0, 3).join(' ')}${paths.length > 3 ? ' …' : ''}`,
    '      then commit and push again;',
    '    - to replace a pair: add the new file under the same name with a replacements.yaml (docs/DATASET-VERSIONING.md);',
    '    - if these are raw files that once leaked into main and you are cleaning them up (the dataset itself lives',
    '      in DVC and does not change): git push --no-verify',
    EXPECTED,
  ].join('\n')
}

/** Data added and removed again inside the pushed commits: it would still reach main's history. */
export function transientMessage(files: readonly string[], remoteMain: string): string {
  return [
    TITLE,
    '  Commits of this push add dataset files and remove them again; they would still be in main’s history:',
    ...list(files),
    '  ✘ Stopped; nothing was pushed. Squash the commits so the data is not in them, then push again:',
    `    git reset --soft ${short(remoteMain)} && git commit -m "<your message>"`,
    EXPECTED,
  ].join('\n')
}

/** QA found errors in the pushed pairs. */
export function qaFailedMessage(reportText: string, errors: number, root: string): string {
  return [
    TITLE,
    `  QA found ${String(errors)} error(s) in the new pairs of this push (paths below are inside ${root === '' ? 'the repository' : `${root}/`}):`,
    '',
    reportText.trimEnd(),
    '',
    '  ✘ Stopped; nothing was pushed, your commits are as they were.',
    '  What to do: fix the files named above (`training-runner qa <folder> --fix <out>` writes safe fixes: EXIF',
    '  orientation, metadata, binary PNG masks), commit the fixed files (git commit --amend, or a new commit),',
    '  and push again.',
    EXPECTED,
  ].join('\n')
}

/** The remote has no main yet. */
export function noRemoteMainMessage(remote: string): string {
  return [
    TITLE,
    `  ${remote} has no main yet, so there is nothing to base a data branch on.`,
    '  ✘ Stopped. Push main once without the dataset files (the workspace config, .gitignore, code), then push the',
    '  data commit again.',
    EXPECTED,
  ].join('\n')
}

/** The push to main is not a fast-forward of the remote's main (a forced push over other work). */
export function notFastForwardMessage(remote: string): string {
  return [
    TITLE,
    `  This push replaces ${remote}'s main with history that does not contain it (a forced push) and brings data.`,
    `  ✘ Stopped. Bring your main up to date first (git pull --rebase ${remote} main), then push again.`,
    EXPECTED,
  ].join('\n')
}

/** A failure of the hook itself (git, network): the push is stopped so that no data slips through. */
export function failureMessage(message: string, hint: string | undefined): string {
  return [
    TITLE,
    `  ✘ ${message}`,
    ...(hint === undefined ? [] : [`  → ${hint}`]),
    '  The push was stopped so that no data reaches main unchecked; your commits are as they were.',
  ].join('\n')
}
