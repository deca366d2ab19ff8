// Python string semantics the text graders depend on: str(), isspace()/strip(), Unicode \w, \d and float().

/** Python's `\s` / `str.isspace()` set (JS `\s` differs: it lacks U+001C–U+001F and U+0085 and adds U+FEFF). */
const SPACE_CHARS =
  "\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

/** Runs of Python whitespace. */
export const PY_SPACE_RUN = new RegExp(`[${SPACE_CHARS}]+`, "gu");
/** One character that is neither Python `\w` (Unicode letters, numbers, `_`) nor whitespace. */
export const PY_NOT_WORD_OR_SPACE = new RegExp(`[^\\p{L}\\p{N}_${SPACE_CHARS}]`, "gu");
const LEADING_SPACE = new RegExp(`^[${SPACE_CHARS}]+`, "u");
const TRAILING_SPACE = new RegExp(`[${SPACE_CHARS}]+$`, "u");
/** Python's `-?\d+\.?\d*` where `\d` is any Unicode decimal digit. */
const PY_NUMBER = /-?\p{Nd}+\.?\p{Nd}*/u;
const DECIMAL_DIGIT = /\p{Nd}/u;

/** Python-like `str(value)`: strings as they are, null/undefined as "", objects as JSON unless they define toString. */
export function pyStr(value: unknown): string {
  if (typeof value === "string") return value;
  if (value === null || value === undefined) return "";
  if (typeof value === "object" && value.toString === Object.prototype.toString) {
    return JSON.stringify(value) ?? "";
  }
  return String(value);
}

/** Python `str.strip()` with no arguments. */
export function pyStrip(text: string): string {
  return text.replace(LEADING_SPACE, "").replace(TRAILING_SPACE, "");
}

/** Python `str.split()` with no arguments. */
export function pySplit(text: string): string[] {
  const stripped = pyStrip(text);
  return stripped === "" ? [] : stripped.split(PY_SPACE_RUN);
}

/** The value 0–9 of a Unicode decimal digit (each script's digits are a run of ten code points from zero). */
function digitValue(char: string): number {
  let cp = char.codePointAt(0)!;
  let offset = 0;
  while (DECIMAL_DIGIT.test(String.fromCodePoint(cp - 1))) {
    cp -= 1;
    offset += 1;
  }
  return offset % 10;
}

/** The first number in the text as Python's `float(re.search(r"-?\d+\.?\d*", text))` reads it, or undefined. */
export function firstNumber(text: string): number | undefined {
  const match = PY_NUMBER.exec(text);
  if (match === null) return undefined;
  const ascii = Array.from(match[0], (char) =>
    char === "-" || char === "." ? char : String(digitValue(char)),
  ).join("");
  return Number(ascii);
}
