// Tool parameter schemas cut down to the JSON Schema subset OpenAI-compatible servers all accept.
//
// Servers turn tool schemas into grammars (vLLM's guided decoding, llama.cpp's GBNF converter) or check them
// against their own subset (Gemini's and some gateways' OpenAI endpoints), and a keyword they do not know
// fails the whole request. Kept, recursively: type, description, properties, required, items, enum, anyOf,
// default, minimum, maximum, minItems, maxItems. Rewritten: `oneOf` → `anyOf`, `const` → a one-value `enum`,
// local `$ref`s (`#/$defs/…`, `#/definitions/…`) inlined (a recursive one becomes its bare type), `allOf`
// merged, null branches of `anyOf` and `null` in type lists dropped (an optional field is already optional by
// not being required) with a lone remaining branch inlined — as the Python SDK does — and `prefixItems` →
// `items` of its first entry. Dropped: `$schema`, `$id`, `$defs`, `additionalProperties`, `format`,
// `pattern`, `title`, `examples`, `strict` and every other keyword. The root is always an object with
// `properties`.

type Schema = Record<string, unknown>;

const COPIED = ["description", "enum", "default", "minimum", "maximum", "minItems", "maxItems"] as const;
/** Beyond this depth a schema is cut to `{}`: tool schemas are small; a pathological one must not hang. */
const MAX_DEPTH = 32;

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The schema a local `$ref` points at, or undefined for remote or dangling ones. */
function resolveRef(ref: string, root: Schema): Schema | undefined {
  const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(ref);
  if (!match) return undefined;
  const defs = root[match[1]!];
  const target = isSchema(defs)
    ? defs[decodeURIComponent(match[2]!).replaceAll("~1", "/").replaceAll("~0", "~")]
    : undefined;
  return isSchema(target) ? target : undefined;
}

function typeOf(value: unknown): unknown {
  if (!Array.isArray(value)) return value;
  const types = value.filter((t) => t !== "null");
  if (types.length === 0) return "null";
  return types.length === 1 ? types[0] : types;
}

interface Walk {
  root: Schema;
  /** `$ref`s being expanded on the current path, to cut recursion. */
  refs: Set<string>;
  depth: number;
}

/** `into` plus what `from` has that `into` lacks; properties and required lists are unioned. */
function merge(into: Schema, from: Schema): Schema {
  const out: Schema = { ...from, ...into };
  if (isSchema(from.properties) || isSchema(into.properties)) {
    out.properties = {
      ...(isSchema(from.properties) ? from.properties : {}),
      ...(isSchema(into.properties) ? into.properties : {}),
    };
  }
  const required = [from.required, into.required].flatMap((r) => (Array.isArray(r) ? r : []));
  if (required.length > 0) out.required = [...new Set(required)];
  return out;
}

function sanitizeNode(schema: Schema, walk: Walk): Schema {
  if (walk.depth > MAX_DEPTH) return {};
  const deeper = { ...walk, depth: walk.depth + 1 };
  if (typeof schema.$ref === "string") {
    const target = resolveRef(schema.$ref, walk.root);
    const { $ref, ...rest } = schema;
    if (!target) return sanitizeNode(rest, deeper);
    if (walk.refs.has($ref as string)) {
      return sanitizeNode({ type: target.type, description: rest.description ?? target.description }, deeper);
    }
    const refs = new Set(walk.refs).add($ref as string);
    return sanitizeNode(merge(rest, target), { ...deeper, refs });
  }
  if (Array.isArray(schema.allOf)) {
    const { allOf, ...rest } = schema;
    return sanitizeNode(
      allOf.filter(isSchema).reduce<Schema>((acc, part) => merge(acc, part), rest),
      deeper,
    );
  }
  const branches = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(branches)) {
    const { anyOf: _a, oneOf: _o, ...rest } = schema;
    const kept = branches.filter((b): b is Schema => isSchema(b) && b.type !== "null");
    if (kept.length === 0) return sanitizeNode({ type: "string", ...rest }, deeper);
    if (kept.length === 1) return sanitizeNode(merge(rest, kept[0]!), deeper);
    return { ...sanitizeNode(rest, deeper), anyOf: kept.map((b) => sanitizeNode(b, deeper)) };
  }

  const out: Schema = {};
  if (schema.type !== undefined) out.type = typeOf(schema.type);
  for (const key of COPIED) if (schema[key] !== undefined) out[key] = schema[key];
  if (schema.const !== undefined && out.enum === undefined) out.enum = [schema.const];
  if (!Array.isArray(out.enum)) delete out.enum;
  if (typeof out.description !== "string") delete out.description;
  if (isSchema(schema.properties)) {
    const properties: Schema = {};
    for (const [name, value] of Object.entries(schema.properties)) {
      if (isSchema(value)) properties[name] = sanitizeNode(value, deeper);
    }
    out.properties = properties;
    const required = Array.isArray(schema.required)
      ? schema.required.filter(
          (name): name is string => typeof name === "string" && Object.hasOwn(properties, name),
        )
      : [];
    if (required.length > 0) out.required = required;
  }
  const items = schema.items ?? (Array.isArray(schema.prefixItems) ? schema.prefixItems[0] : undefined);
  if (isSchema(items)) out.items = sanitizeNode(items, deeper);
  else if (Array.isArray(items) && isSchema(items[0])) out.items = sanitizeNode(items[0], deeper);
  if (out.items !== undefined) out.type ??= "array";
  return out;
}

/** `parameters` as a server will take it: the kept subset, rooted at an object with `properties`. */
export function sanitizeSchema(parameters: Record<string, unknown>): Record<string, unknown> {
  const out = sanitizeNode(parameters, { root: parameters, refs: new Set(), depth: 0 });
  return { ...out, type: "object", properties: isSchema(out.properties) ? out.properties : {} };
}
