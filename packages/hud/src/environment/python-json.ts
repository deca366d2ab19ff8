// Python's json.dumps(value, sort_keys=True) byte for byte (default separators, ensure_ascii, float repr),
// so slugs hash the same in both languages.

function escapeString(text: string): string {
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const ch = text[i]!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\b") out += "\\b";
    else if (ch === "\f") out += "\\f";
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Python's repr() of a float: shortest round-trip digits, exponent form below 1e-4 or from 1e16. */
function floatRepr(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (x === Number.POSITIVE_INFINITY) return "Infinity";
  if (x === Number.NEGATIVE_INFINITY) return "-Infinity";
  const [mantissa, expText] = x.toExponential().split("e") as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const sign = exp < 0 ? "-" : "+";
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  const text = String(x);
  return text.includes(".") || text.includes("e") ? text : `${text}.0`;
}

function numberRepr(x: number): string {
  // JSON gives JS no int/float distinction; integral values are written as Python ints.
  if (Number.isInteger(x)) return Math.abs(x) < 1e21 ? BigInt(x).toString() : floatRepr(x);
  return floatRepr(x);
}

function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const ca = ia.next();
    const cb = ib.next();
    if (ca.done || cb.done) return ca.done && cb.done ? 0 : ca.done ? -1 : 1;
    const d = ca.value.codePointAt(0)! - cb.value.codePointAt(0)!;
    if (d !== 0) return d;
  }
}

/** `json.dumps(value, sort_keys=True, default=str)` as Python writes it. */
export function pythonJsonDumps(value: unknown, seen: Set<object> = new Set()): string {
  if (value === null || value === undefined) return "null";
  if (value === true) return "true";
  if (value === false) return "false";
  if (typeof value === "number") return numberRepr(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return escapeString(value);
  if (typeof value !== "object") return escapeString(String(value));
  if (seen.has(value)) throw new TypeError("Circular reference detected");
  seen.add(value);
  try {
    if (Array.isArray(value)) return `[${value.map((v) => pythonJsonDumps(v, seen)).join(", ")}]`;
    if (value instanceof Date) return escapeString(value.toISOString());
    const keys = Object.keys(value).sort(compareCodePoints);
    const record = value as Record<string, unknown>;
    return `{${keys.map((k) => `${escapeString(k)}: ${pythonJsonDumps(record[k], seen)}`).join(", ")}}`;
  } finally {
    seen.delete(value);
  }
}
