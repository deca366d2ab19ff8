// Converting arbitrary grader parameters into JSON values for `info._parameters`.

/** A JSON value: primitives kept, arrays and plain objects walked, anything else turned into its text. */
export function jsonSafe(value: unknown, seen: Set<object> = new Set()): unknown {
  if (value === null || typeof value === "string" || typeof value === "boolean") return value;
  if (value === undefined) return null;
  if (typeof value === "number") return Number.isFinite(value) ? value : String(value);
  if (typeof value !== "object") return String(value);
  if (seen.has(value)) return "[Circular]";
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => jsonSafe(item, seen));
    if (value instanceof Date) return value.toISOString();
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") return jsonSafe(toJSON.call(value), seen);
    const proto = Object.getPrototypeOf(value);
    if (proto !== Object.prototype && proto !== null) return String(value);
    const out: { [key: string]: unknown } = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined) out[key] = jsonSafe(item, seen);
    }
    return out;
  } finally {
    seen.delete(value);
  }
}
