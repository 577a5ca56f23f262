import { readFileSync } from 'node:fs'
import path from 'node:path'
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormatsModule from 'ajv-formats'
import { ADAPTER_OPERATIONS } from './adapter-operations.js'

/**
 * GitHub's OpenAPI description (the committed subset, see README.md) loaded for validation: routes matched to
 * operations, parameters, request bodies and responses checked with ajv. Two schema fixes ajv needs, applied at
 * load (the committed file stays GitHub's): `nullable: true` without a `type` becomes `anyOf: [schema, {type:
 * 'null'}]` (research/stack-feasibility.md), and a nullable `enum` gets `null` in its list (GitHub answers
 * `conclusion: null` for a running job, which ajv would otherwise reject).
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = Record<string, Json>

/** An OpenAPI parameter, as far as the server needs it. */
interface Parameter {
  name: string
  in: 'path' | 'query' | 'header'
  required?: boolean
  schema?: JsonObject
  /** Where its schema is in the document (for the validator). */
  schemaPointer: string
}

/** One operation of the subset. */
export interface Operation {
  method: string
  path: string
  operationId: string
  pattern: RegExp
  pathNames: string[]
  parameters: Parameter[]
  hasBody: boolean
  bodyRequired: boolean
  bodyProperties: string[] | null
  pointer: string
  responses: Record<string, JsonObject>
  /** Where each documented response is (a `$ref` to components/responses or inline). */
  responsePointers: Record<string, string>
}

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv

export const SUBSET_FILE = path.join(import.meta.dirname, 'github-openapi-subset.json')

function fixNullable(node: Json): Json {
  if (Array.isArray(node)) return node.map(fixNullable)
  if (node === null || typeof node !== 'object') return node
  const fixed: JsonObject = {}
  for (const [key, value] of Object.entries(node)) fixed[key] = fixNullable(value)
  // ajv checks `enum` before `nullable`: a nullable enum (a job's `conclusion` while it runs) must list null itself.
  if (fixed.nullable === true && Array.isArray(fixed.enum) && !fixed.enum.includes(null))
    fixed.enum = [...fixed.enum, null]
  if (fixed.nullable === true && fixed.type === undefined) {
    const rest = { ...fixed }
    delete rest.nullable
    return { anyOf: [rest, { type: 'null' }] }
  }
  return fixed
}

function pointerPart(part: string): string {
  return part.replace(/~/g, '~0').replace(/\//g, '~1')
}

/** The subset with its validators. */
export class OpenApiDocument {
  readonly operations: Operation[]
  readonly version: string
  private readonly ajv: Ajv
  private readonly validators = new Map<string, ValidateFunction>()
  private readonly document: JsonObject

  constructor(file = SUBSET_FILE) {
    this.document = fixNullable(JSON.parse(readFileSync(file, 'utf8')) as Json) as JsonObject
    this.version = JSON.stringify((this.document.info as JsonObject).version).replace(/"/g, '')
    this.ajv = addFormats(new Ajv({ strict: false, allErrors: true, validateFormats: true }))
    // GitHub's own format for `owner/name` (pulls/create's head_repo).
    this.ajv.addFormat('repo.nwo', /^[\w.-]+\/[\w.-]+$/)
    this.ajv.addSchema(this.document, 'gh')
    this.operations = ADAPTER_OPERATIONS.map(({ method, path: route }) => this.operation(method, route))
  }

  private resolve(node: Json): JsonObject {
    let current = node as JsonObject
    while (typeof current.$ref === 'string') {
      let target: Json = this.document
      for (const part of current.$ref.replace(/^#\//, '').split('/'))
        target = (target as JsonObject)[part.replace(/~1/g, '/').replace(/~0/g, '~')] as Json
      current = target as JsonObject
    }
    return current
  }

  private operation(method: string, route: string): Operation {
    const item = (this.document.paths as JsonObject)[route] as JsonObject
    const op = item[method] as JsonObject
    const routePointer = `#/paths/${pointerPart(route)}`
    const withPointers = (list: Json[] | undefined, at: string): Parameter[] =>
      (list ?? []).map((param, index) => {
        const ref = (param as JsonObject).$ref
        const base = typeof ref === 'string' ? ref : `${at}/parameters/${String(index)}`
        return { ...(this.resolve(param) as unknown as Parameter), schemaPointer: `${base}/schema` }
      })
    const parameters = [
      ...withPointers(item.parameters as Json[] | undefined, routePointer),
      ...withPointers(op.parameters as Json[] | undefined, `${routePointer}/${method}`),
    ]
    const pathNames: string[] = []
    const segments = route.split('/')
    const source = segments
      .map((segment, index) => {
        const name = /^\{(.+)\}$/.exec(segment)?.[1]
        if (name === undefined) return segment.replace(/[.*+?^$()|[\]\\]/g, '\\$&')
        pathNames.push(name)
        // A ref (`heads/data/…`) is the last segment and may hold slashes.
        return index === segments.length - 1 && name === 'ref' ? '(.+)' : '([^/]+)'
      })
      .join('/')
    const body = op.requestBody === undefined ? undefined : this.resolve(op.requestBody)
    const bodySchema = (body?.content as JsonObject | undefined)?.['application/json'] as JsonObject | undefined
    const properties = bodySchema?.schema === undefined ? undefined : this.resolve(bodySchema.schema).properties
    const responses: Record<string, JsonObject> = {}
    const responsePointers: Record<string, string> = {}
    for (const [status, response] of Object.entries((op.responses as JsonObject | undefined) ?? {})) {
      responses[status] = this.resolve(response)
      const ref = (response as JsonObject).$ref
      responsePointers[status] = typeof ref === 'string' ? ref : `${routePointer}/${method}/responses/${status}`
    }
    return {
      method,
      path: route,
      operationId: typeof op.operationId === 'string' ? op.operationId : `${method} ${route}`,
      pattern: new RegExp(`^${source}$`),
      pathNames,
      parameters,
      hasBody: bodySchema !== undefined,
      bodyRequired: body?.required === true,
      bodyProperties: properties === undefined || properties === null ? null : Object.keys(properties),
      pointer: `#/paths/${pointerPart(route)}/${method}`,
      responses,
      responsePointers,
    }
  }

  /** The operation serving `method path`, with its path parameters. */
  match(method: string, pathname: string): { operation: Operation; params: Record<string, string> } | undefined {
    for (const operation of this.operations) {
      if (operation.method !== method.toLowerCase()) continue
      const found = operation.pattern.exec(pathname)
      if (found === null) continue
      const params: Record<string, string> = {}
      operation.pathNames.forEach((name, index) => {
        params[name] = decodeURIComponent(found[index + 1] ?? '')
      })
      return { operation, params }
    }
    return undefined
  }

  /** Follows a pointer through schemas that are only a `$ref`, so answers that share a component share its validator. */
  private canonical(pointer: string): string {
    let current = pointer
    for (;;) {
      let node: Json = this.document
      for (const part of current.replace(/^#\//, '').split('/'))
        node = (node as JsonObject | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')] as Json
      const ref = (node as JsonObject | undefined)?.$ref
      if (typeof ref !== 'string' || Object.keys(node as JsonObject).length !== 1) return current
      current = ref
    }
  }

  private validator(at: string): ValidateFunction {
    const pointer = this.canonical(at)
    let validate = this.validators.get(pointer)
    if (validate === undefined) {
      validate = this.ajv.compile({ $ref: `gh${pointer}` })
      this.validators.set(pointer, validate)
    }
    return validate
  }

  /** Problems with a request (empty when it conforms). */
  checkRequest(operation: Operation, params: Record<string, string>, query: URLSearchParams, body: unknown): string[] {
    const problems: string[] = []
    const known = new Set(operation.parameters.filter((p) => p.in === 'query').map((p) => p.name))
    for (const name of new Set(query.keys())) if (!known.has(name)) problems.push(`unknown query parameter "${name}"`)
    for (const param of operation.parameters) {
      if (param.in === 'header') continue
      const raw = param.in === 'path' ? params[param.name] : (query.get(param.name) ?? undefined)
      if (raw === undefined) {
        if (param.required === true) problems.push(`missing required ${param.in} parameter "${param.name}"`)
        continue
      }
      const validate = this.validator(param.schemaPointer)
      if (!validate(coerce(raw, param.schema)))
        problems.push(`${param.in} parameter "${param.name}"=${raw}: ${describe(validate.errors)}`)
    }
    if (operation.hasBody) {
      if (body === undefined) {
        if (operation.bodyRequired) problems.push('missing request body')
      } else {
        const validate = this.validator(`${operation.pointer}/requestBody/content/application~1json/schema`)
        if (!validate(body)) problems.push(`request body: ${describe(validate.errors)}`)
        if (operation.bodyProperties !== null && typeof body === 'object' && body !== null) {
          for (const key of Object.keys(body))
            if (!operation.bodyProperties.includes(key)) problems.push(`request body: unknown field "${key}"`)
        }
      }
    } else if (body !== undefined) problems.push('a request body where the operation takes none')
    return problems
  }

  /** Problems with a response (empty when it conforms to the documented status and schema). */
  checkResponse(operation: Operation, status: number, body: unknown): string[] {
    const response = operation.responses[String(status)]
    if (response === undefined) {
      if (GENERIC_STATUSES.has(status)) return []
      return [`status ${String(status)} is not documented for ${operation.operationId}`]
    }
    const content = (response.content as JsonObject | undefined)?.['application/json'] as JsonObject | undefined
    if (content?.schema === undefined) return body === undefined ? [] : [`status ${String(status)} has no body`]
    const validate = this.validator(
      `${operation.responsePointers[String(status)] ?? ''}/content/application~1json/schema`,
    )
    return validate(body) ? [] : [`response ${String(status)}: ${describe(validate.errors)}`]
  }

  /** Validates `value` against the schema at a JSON pointer of the subset (the fixture builder uses it). */
  check(pointer: string, value: unknown): string[] {
    const validate = this.validator(pointer)
    return validate(value) ? [] : [describe(validate.errors)]
  }

  /** The schema at a JSON pointer, `$ref`s resolved one level. */
  schemaAt(pointer: string): JsonObject {
    let node: Json = this.document
    for (const part of pointer.replace(/^#\//, '').split('/'))
      node = (node as JsonObject)[part.replace(/~1/g, '/').replace(/~0/g, '~')] as Json
    return this.resolve(node)
  }

  /** Resolves a `$ref` node. */
  deref(node: JsonObject): JsonObject {
    return this.resolve(node)
  }
}

/** Answers GitHub may give to any request: not modified, auth, permission, rate limits, its own failures. */
const GENERIC_STATUSES = new Set([304, 401, 403, 429, 500, 502, 503])

function coerce(raw: string, schema: JsonObject | undefined): unknown {
  const type = schema?.type
  if ((type === 'integer' || type === 'number') && /^-?\d+(\.\d+)?$/.test(raw)) return Number(raw)
  if (type === 'boolean' && (raw === 'true' || raw === 'false')) return raw === 'true'
  return raw
}

function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 5)
    .map((error) => `${error.instancePath || '(root)'} ${error.message ?? ''}`)
    .join('; ')
}
