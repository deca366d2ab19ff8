// JSON Schemas made fit for OpenAI's strict function calling, and the nulls that strictness adds taken back out.
//
// Strict mode (structured outputs) guarantees the arguments match the schema, but only for a subset of JSON
// Schema: every object closed (`additionalProperties: false`) with every property required. An optional property
// becomes a required nullable one, so the model sends `null` for "not given" — which a tool that declared the
// property optional (an MCP server validating with zod, say) would reject. `dropAddedNulls` undoes exactly that.

type Schema = Record<string, unknown>;

/** Keywords strict mode accepts (OpenAI's "supported schemas" list); anything else makes a schema non-strict. */
const SUPPORTED = new Set([
  "type",
  "properties",
  "required",
  "additionalProperties",
  "items",
  "enum",
  "const",
  "anyOf",
  "description",
  "title",
  "$defs",
  "definitions",
  "$ref",
  "pattern",
  "format",
  "minimum",
  "maximum",
  "exclusiveMinimum",
  "exclusiveMaximum",
  "multipleOf",
  "minItems",
  "maxItems",
]);

/** Annotations that never change which values are valid: dropped rather than making the schema non-strict. */
const DROPPED = new Set([
  "$schema",
  "$id",
  "$comment",
  "examples",
  "default",
  "deprecated",
  "readOnly",
  "writeOnly",
]);

/** OpenAI's limit on object nesting in a strict schema. */
const MAX_DEPTH = 10;

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Thrown inside the walk when a schema cannot be strict; caught once at the top. One instance, made once: a
 * free-form tool schema (common) would otherwise capture a stack trace on every request.
 */
const NOT_STRICT = new Error("schema cannot be strict");

/** `schema` accepting null too: the type widened (and null added to an enum), or an `anyOf` with a null branch. */
function nullable(schema: Schema): Schema {
  const { type } = schema;
  if (schema.const !== undefined) return { anyOf: [schema, { type: "null" }] };
  const enumWithNull =
    Array.isArray(schema.enum) && !schema.enum.includes(null) ? [...schema.enum, null] : schema.enum;
  if (typeof type === "string") {
    if (type === "null") return schema;
    return { ...schema, type: [type, "null"], ...(enumWithNull ? { enum: enumWithNull } : {}) };
  }
  if (Array.isArray(type)) {
    return {
      ...schema,
      type: type.includes("null") ? type : [...type, "null"],
      ...(enumWithNull ? { enum: enumWithNull } : {}),
    };
  }
  if (Array.isArray(schema.anyOf)) {
    const hasNull = schema.anyOf.some((branch) => isSchema(branch) && branch.type === "null");
    return hasNull ? schema : { ...schema, anyOf: [...schema.anyOf, { type: "null" }] };
  }
  return { anyOf: [schema, { type: "null" }] };
}

function strictNode(schema: unknown, depth: number): Schema {
  if (!isSchema(schema)) throw NOT_STRICT;
  if (depth > MAX_DEPTH) throw NOT_STRICT;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED.has(key)) continue;
    if (!SUPPORTED.has(key)) throw NOT_STRICT;
    out[key] = value;
  }
  const isObject = out.type === "object" || (Array.isArray(out.type) && out.type.includes("object"));
  if (isObject || out.properties !== undefined) {
    // A free-form object (no declared properties, or extra keys allowed) cannot be closed without losing arguments.
    if (!isSchema(out.properties) || Object.keys(out.properties).length === 0) throw NOT_STRICT;
    if (out.additionalProperties !== undefined && out.additionalProperties !== false) throw NOT_STRICT;
    const required = new Set(Array.isArray(out.required) ? out.required : []);
    const properties: Schema = {};
    for (const [name, property] of Object.entries(out.properties)) {
      const strict = strictNode(property, depth + 1);
      properties[name] = required.has(name) ? strict : nullable(strict);
    }
    out.properties = properties;
    out.required = Object.keys(properties);
    out.additionalProperties = false;
  }
  const isArray = out.type === "array" || (Array.isArray(out.type) && out.type.includes("array"));
  if (isArray && out.items === undefined) throw NOT_STRICT;
  if (out.items !== undefined) out.items = strictNode(out.items, depth + 1);
  if (out.anyOf !== undefined) {
    if (!Array.isArray(out.anyOf)) throw NOT_STRICT;
    out.anyOf = out.anyOf.map((branch) => strictNode(branch, depth + 1));
  }
  for (const key of ["$defs", "definitions"] as const) {
    const defs = out[key];
    if (defs === undefined) continue;
    if (!isSchema(defs)) throw NOT_STRICT;
    out[key] = Object.fromEntries(Object.entries(defs).map(([name, def]) => [name, strictNode(def, depth)]));
  }
  return out;
}

/**
 * `schema` rewritten for strict mode (every object closed, optional properties required but nullable), or
 * undefined when it cannot be: the root is not an object with properties, an object is free-form, an array
 * has no `items`, or a keyword outside strict mode's subset is used.
 */
export function strictSchema(schema: Record<string, unknown>): Record<string, unknown> | undefined {
  if (schema.type !== "object" || schema.anyOf !== undefined) return undefined;
  try {
    return strictNode(schema, 1);
  } catch (error) {
    if (error === NOT_STRICT) return undefined;
    throw error;
  }
}

function acceptsNull(schema: Schema): boolean {
  const { type } = schema;
  if (type === "null" || (Array.isArray(type) && type.includes("null"))) return true;
  if (Array.isArray(schema.enum) && schema.enum.includes(null)) return true;
  return (
    Array.isArray(schema.anyOf) && schema.anyOf.some((branch) => isSchema(branch) && acceptsNull(branch))
  );
}

function dropNulls(value: unknown, schema: unknown): unknown {
  if (!isSchema(schema)) return value;
  if (Array.isArray(value))
    return isSchema(schema.items) ? value.map((v) => dropNulls(v, schema.items)) : value;
  if (!isSchema(value) || !isSchema(schema.properties)) return value;
  const required = new Set(Array.isArray(schema.required) ? schema.required : []);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const property = schema.properties[key];
    if (item === null && !required.has(key) && isSchema(property) && !acceptsNull(property)) continue;
    out[key] = dropNulls(item, property);
  }
  return out;
}

/**
 * Arguments from a strict call with the `null`s removed that stand for an optional property left out — the ones
 * the original `schema` would not accept — so the tool sees the arguments its own schema describes.
 */
export function dropAddedNulls(
  args: Record<string, unknown>,
  schema: Record<string, unknown>,
): Record<string, unknown> {
  return dropNulls(args, schema) as Record<string, unknown>;
}
