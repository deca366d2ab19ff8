// Tool-call arguments as providers send them (JSON text) turned into an object, or kept raw when they are not one.

/**
 * An object parsed from `text`; empty text is `{}`. Anything else — cut-off JSON, a non-object — stays the raw
 * string, which the tool loop answers with an error instead of executing.
 */
export function parseToolArguments(text: string): Record<string, unknown> | string {
  if (text.trim() === "") return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value))
      return value as Record<string, unknown>;
  } catch {
    // Kept raw below.
  }
  return text;
}
