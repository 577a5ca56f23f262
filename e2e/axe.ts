import AxeBuilder from '@axe-core/playwright'
import { expect, type Page } from '@playwright/test'

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA rules, plus best practices) on the page as it is and fails on any serious
 * or critical violation, listing each with its nodes. Returns the number of minor and moderate ones for the report.
 */
export async function expectNoSeriousViolations(page: Page, where: string): Promise<number> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze()
  const serious = results.violations.filter(
    (violation) => violation.impact === 'serious' || violation.impact === 'critical',
  )
  const described = serious.map(
    (violation) =>
      `${violation.id} (${String(violation.impact)}): ${violation.help}\n${violation.nodes
        .slice(0, 5)
        .map((node) => `  ${node.target.join(' ')} — ${node.failureSummary ?? ''}`)
        .join('\n')}`,
  )
  expect(described, `axe on ${where}`).toEqual([])
  return results.violations.length - serious.length
}
