/**
 * The GitHub Actions expression language, as much of it as the shipped workflows use: property paths
 * (`needs.start-gpu.outputs.label`), string literals, `||` / `&&` (returning an operand, as Actions does), `==` /
 * `!=`, `!`, parentheses and the status functions. Anything else is an error, so a workflow that starts using more
 * fails the dry run instead of being evaluated wrongly.
 */

export type Value = string | number | boolean | null | { [key: string]: Value }

/** What the status functions see. */
export interface StatusContext {
  /** Every earlier step (or every needed job) succeeded. */
  success: boolean
  cancelled: boolean
}

type Token = { kind: 'str'; value: string } | { kind: 'id'; value: string } | { kind: 'op'; value: string }

function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < source.length) {
    const ch = source.charAt(i)
    if (/\s/.test(ch)) {
      i += 1
    } else if (ch === "'") {
      let value = ''
      i += 1
      while (i < source.length) {
        if (source[i] === "'" && source[i + 1] === "'") {
          value += "'"
          i += 2
        } else if (source[i] === "'") break
        else {
          value += source.charAt(i)
          i += 1
        }
      }
      if (source[i] !== "'") throw new Error(`unterminated string in \${{ ${source} }}`)
      i += 1
      tokens.push({ kind: 'str', value })
    } else if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][A-Za-z0-9_.-]*/.exec(source.slice(i))?.[0] ?? ch
      tokens.push({ kind: 'id', value: match })
      i += match.length
    } else {
      const op = ['&&', '||', '==', '!=', '!', '(', ')'].find((candidate) => source.startsWith(candidate, i))
      if (op === undefined)
        throw new Error(`unsupported expression syntax at "${source.slice(i)}" in \${{ ${source} }}`)
      tokens.push({ kind: 'op', value: op })
      i += op.length
    }
  }
  return tokens
}

function truthy(value: Value): boolean {
  return value !== null && value !== false && value !== '' && value !== 0
}

/** Evaluates one expression (without `${{ }}`) against `context`. */
export function evaluate(source: string, context: Record<string, Value>, status: StatusContext): Value {
  const tokens = tokenize(source)
  let at = 0
  const peek = (): Token | undefined => tokens[at]
  const take = (): Token => {
    const token = tokens[at]
    if (token === undefined) throw new Error(`unexpected end of \${{ ${source} }}`)
    at += 1
    return token
  }
  const isOp = (value: string): boolean => {
    const token = peek()
    return token?.kind === 'op' && token.value === value
  }
  const lookup = (pathText: string): Value => {
    let node: Value = context
    for (const part of pathText.split('.')) {
      if (node === null || typeof node !== 'object') return null
      node = node[part] ?? null
    }
    return node
  }
  const primary = (): Value => {
    const token = take()
    if (token.kind === 'str') return token.value
    if (token.kind === 'op' && token.value === '(') {
      const value = or()
      if (take().value !== ')') throw new Error(`missing ) in \${{ ${source} }}`)
      return value
    }
    if (token.kind === 'op' && token.value === '!') return !truthy(primary())
    if (token.kind !== 'id') throw new Error(`unexpected ${token.value} in \${{ ${source} }}`)
    if (token.value === 'true' || token.value === 'false') return token.value === 'true'
    if (token.value === 'null') return null
    if (isOp('(')) {
      take()
      if (take().value !== ')') throw new Error(`functions take no arguments here: \${{ ${source} }}`)
      switch (token.value) {
        case 'always':
          return true
        case 'success':
          return status.success && !status.cancelled
        case 'failure':
          return !status.success
        case 'cancelled':
          return status.cancelled
        default:
          throw new Error(`unsupported function ${token.value}() in \${{ ${source} }}`)
      }
    }
    return lookup(token.value)
  }
  const equality = (): Value => {
    let left = primary()
    while (isOp('==') || isOp('!=')) {
      const op = take().value
      const right = primary()
      const same = JSON.stringify(left ?? '') === JSON.stringify(right ?? '')
      left = op === '==' ? same : !same
    }
    return left
  }
  const and = (): Value => {
    let left = equality()
    while (isOp('&&')) {
      take()
      const right = equality()
      left = truthy(left) ? right : left
    }
    return left
  }
  const or = (): Value => {
    let left = and()
    while (isOp('||')) {
      take()
      const right = and()
      left = truthy(left) ? left : right
    }
    return left
  }
  const value = or()
  if (at !== tokens.length) throw new Error(`unexpected ${tokens[at]?.value ?? ''} in \${{ ${source} }}`)
  return value
}

/** Replaces every `${{ … }}` in `text`. */
export function interpolate(text: string, context: Record<string, Value>, status: StatusContext): string {
  return text.replace(/\$\{\{([\s\S]*?)\}\}/g, (_match, inner: string) => {
    const value = evaluate(inner.trim(), context, status)
    return value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value)
  })
}

/** An `if:` condition: with or without `${{ }}`, and an expression without a status function implies `success()`. */
export function condition(text: string | undefined, context: Record<string, Value>, status: StatusContext): boolean {
  if (text === undefined) return status.success && !status.cancelled
  const inner = text
    .trim()
    .replace(/^\$\{\{([\s\S]*)\}\}$/, '$1')
    .trim()
  const explicit = /\b(always|success|failure|cancelled)\(\)/.test(inner)
  const value = truthy(evaluate(inner, context, status))
  return explicit ? value : value && status.success && !status.cancelled
}
