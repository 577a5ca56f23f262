import type { z } from 'zod'

/** One line per schema problem, `path: message`, for error messages people can act on. */
export function formatSchemaIssues(error: z.ZodError, maxLines = 12): string {
  const lines = error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)'
    return `  - ${path}: ${issue.message}`
  })
  const shown = lines.slice(0, maxLines)
  if (lines.length > maxLines) shown.push(`  - … and ${String(lines.length - maxLines)} more`)
  return shown.join('\n')
}
