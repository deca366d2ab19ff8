// One JSON line as Python's `json.dumps(value, ensure_ascii=False)` writes it: `", "` / `": "` separators, keys in order.

/** JSON.stringify escapes exactly what Python does without ensure_ascii: quote, backslash, control characters. */
function escapeString(text: string): string {
  return JSON.stringify(text);
}

/** Python's float repr for non-integral numbers (exponent form below 1e-4 and from 1e16). */
function floatRepr(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "Infinity" : "-Infinity";
  const [mantissa, expText] = x.toExponential().split("e") as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 16)
    return `${mantissa}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
  return String(x);
}

function numberRepr(x: number): string {
  // JavaScript has no int/float distinction: integral values are written as Python ints.
  if (Number.isInteger(x) && Math.abs(x) < 1e21) return BigInt(x).toString();
  return floatRepr(x);
}

export function pythonJsonLine(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "number") return numberRepr(value);
  if (typeof value === "string") return escapeString(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value !== "object") return "null";
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === "function") return pythonJsonLine(withJson.toJSON());
  if (Array.isArray(value)) return `[${value.map((item) => pythonJsonLine(item)).join(", ")}]`;
  const parts: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    // Like JSON.stringify, keys whose value cannot be written are left out.
    if (item === undefined || typeof item === "function" || typeof item === "symbol") continue;
    parts.push(`${escapeString(key)}: ${pythonJsonLine(item)}`);
  }
  return `{${parts.join(", ")}}`;
}
