import type { PairingProblem } from '../dataset/pairing.js'
import { makeIssue, type QaIssue } from './issue.js'

/** `pairing/*` issues from the pairing step's problems (file paths as the user should read them). */
export function pairingIssues(problems: readonly PairingProblem[]): QaIssue[] {
  return problems.map((problem) => {
    const [file = problem.stem] = problem.files
    const details = { files: problem.files, stem: problem.stem }
    switch (problem.kind) {
      case 'orphan-image':
        return makeIssue('pairing/orphan-image', problem.stem, `${file} has no mask named "${problem.stem}"`, details)
      case 'orphan-mask':
        return makeIssue('pairing/orphan-mask', problem.stem, `${file} has no image named "${problem.stem}"`, details)
      case 'duplicate-stem':
        return makeIssue(
          'pairing/duplicate-stem',
          problem.stem,
          `${problem.files.join(', ')} all claim the name "${problem.stem}"`,
          details,
        )
      case 'unsupported-extension': {
        const dot = file.lastIndexOf('.')
        const ext = dot < 0 || dot < file.lastIndexOf('/') ? '(none)' : file.slice(dot)
        return makeIssue(
          'pairing/unsupported-extension',
          problem.stem,
          `${file} has the extension ${ext}; only .jpg, .jpeg and .png are used`,
          { ...details, extension: ext },
        )
      }
      case 'unknown-role':
        return makeIssue(
          'pairing/unknown-role',
          problem.stem,
          `${file} is neither in an images/ or masks/ folder nor named like <name>_image or <name>_mask`,
          details,
        )
    }
  })
}
