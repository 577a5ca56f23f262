import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'

const packageRoot = path.resolve(import.meta.dirname, '..')

/** Every name the entry exports (values and types), read from its `export { … } from` statements. */
async function exportedNames(): Promise<string[]> {
  const source = await readFile(path.join(packageRoot, 'src/index.ts'), 'utf8')
  const lists = [...source.matchAll(/export (?:type )?\{([^}]*)\} from '/g)].map((match) => match[1] ?? '')
  return lists.flatMap((list) =>
    list
      .split(',')
      .map((item) => item.trim().replace(/^type /, ''))
      .filter((item) => item !== '')
      .map((item) => item.split(/\s+as\s+/).pop() ?? item),
  )
}

describe("the runner's one entry", () => {
  it('has a line in docs/RUNNER-API.md for every export', async () => {
    const doc = await readFile(path.join(packageRoot, '../docs/RUNNER-API.md'), 'utf8')
    const names = await exportedNames()
    expect(names.length).toBeGreaterThan(100)
    const undocumented = names.filter((name) => !new RegExp(`\`${name}[\`(]`).test(doc))
    expect(undocumented, 'exported from training-runner/src/index.ts but not in docs/RUNNER-API.md').toEqual([])
  })

  it('exports each name once', async () => {
    const names = await exportedNames()
    expect(names.filter((name, i) => names.indexOf(name) !== i)).toEqual([])
  })
})
