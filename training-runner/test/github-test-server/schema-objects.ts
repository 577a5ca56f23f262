import type { OpenApiDocument } from './openapi-document.js'

/**
 * Builds answers from GitHub's own schemas: every required field filled with a plain value of its type (a date for
 * `date-time`, a URL for `uri`, the first enum value, null where nullable), then the test server's own values laid
 * over it. So a fixture is complete by construction, and the server still validates it before it is sent.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type JsonObject = Record<string, Json>

/** Values to lay over the built object (nested objects merge, anything else replaces). */
export type Overrides = Record<string, unknown>

const FIXED_DATE = '2026-01-01T00:00:00Z'

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Builds a value for `schema` (a node of the document) with `override` laid over it. */
export function buildValue(doc: OpenApiDocument, schemaNode: JsonObject, override?: unknown): unknown {
  const schema = doc.deref(schemaNode)
  if (override !== undefined && !isObject(override)) return override
  if (Array.isArray(schema.allOf)) {
    const merged: Record<string, unknown> = {}
    for (const part of schema.allOf) Object.assign(merged, buildValue(doc, part as JsonObject) as object)
    return isObject(override) ? mergeInto(doc, schema, merged, override) : merged
  }
  const alternatives = (schema.anyOf ?? schema.oneOf) as JsonObject[] | undefined
  if (Array.isArray(alternatives)) {
    const nonNull = alternatives.filter((alt) => doc.deref(alt).type !== 'null')
    if (override === undefined && nonNull.length < alternatives.length) return null
    return buildValue(doc, nonNull[0] ?? {}, override)
  }
  if (override === undefined && schema.nullable === true) return null
  if (schema.enum !== undefined) return (schema.enum as Json[])[0] ?? null
  switch (schema.type) {
    case 'object':
    case undefined: {
      if (schema.type === undefined && schema.properties === undefined) return override ?? {}
      const built: Record<string, unknown> = {}
      const properties = (schema.properties ?? {}) as Record<string, JsonObject>
      for (const name of (schema.required ?? []) as string[]) {
        const property = properties[name]
        built[name] = property === undefined ? null : buildValue(doc, property)
      }
      return isObject(override) ? mergeInto(doc, schema, built, override) : built
    }
    case 'array':
      return []
    case 'integer':
    case 'number':
      return schema.minimum === undefined ? 1 : Number(schema.minimum)
    case 'boolean':
      return false
    case 'string':
      if (schema.format === 'date-time') return FIXED_DATE
      if (schema.format === 'uri' || schema.format === 'uri-template') return 'https://github.test/x'
      if (schema.format === 'email') return 'user@github.test'
      return 'x'
    default:
      return null
  }
}

function mergeInto(
  doc: OpenApiDocument,
  schema: JsonObject,
  built: Record<string, unknown>,
  override: Record<string, unknown>,
): Record<string, unknown> {
  const properties = collectProperties(doc, schema)
  for (const [name, value] of Object.entries(override)) {
    const property = properties[name]
    built[name] =
      property !== undefined && isObject(value)
        ? buildValue(doc, property, { ...asObject(built[name]), ...value })
        : value
  }
  return built
}

function asObject(value: unknown): Record<string, unknown> {
  return isObject(value) ? value : {}
}

function collectProperties(doc: OpenApiDocument, schemaNode: JsonObject): Record<string, JsonObject> {
  const schema = doc.deref(schemaNode)
  const own = { ...((schema.properties ?? {}) as Record<string, JsonObject>) }
  for (const part of (schema.allOf ?? []) as JsonObject[]) Object.assign(own, collectProperties(doc, part))
  return own
}

/** A value for the response `status` of the operation at `operationPointer`, with `override` laid over it. */
export function buildResponse(doc: OpenApiDocument, schemaPointer: string, override?: Overrides): unknown {
  return buildValue(doc, doc.schemaAt(schemaPointer), override)
}
