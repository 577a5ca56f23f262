/**
 * Which dataset paths a git tree can hold. Git refuses (or silently skips) paths with a `.git` component, empty or
 * `.`/`..` components and control characters; with `core.protectNTFS`/`protectHFS` (on by default) also `.git`
 * spelt with trailing dots or spaces, its 8.3 short name `git~1`, backslashes, and `.git` with invisible Unicode.
 * A staged file under such a path would make `git add` add nothing: it is refused when it is added, and again
 * before a commit.
 */

// Code points HFS+ ignores when comparing names: `.g\u200cit` is `.git` there.
const HFS_IGNORED = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g
// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/

/** Why git cannot hold `relpath` (forward slashes), or `undefined` when it can. */
export function gitPathProblem(relpath: string): string | undefined {
  if (relpath === '') return 'the path is empty'
  if (CONTROL.test(relpath)) return 'the path contains a control character'
  if (relpath.includes('\\')) return 'the path contains a backslash'
  for (const component of relpath.split('/')) {
    if (component === '' || component === '.' || component === '..') return `the path has an empty, "." or ".." part`
    const folded = component.replace(HFS_IGNORED, '').toLowerCase()
    if (/^\.git[. ]*$/.test(folded) || /^git~\d+$/.test(folded))
      return `"${component}" is git's own folder name, which git never stores`
  }
  return undefined
}
