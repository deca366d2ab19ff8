// Which provider API serves a model id, by its name alone (what createAgent dispatches on).
import type { Provider } from "./known-models.ts";

/**
 * `claude-*` → anthropic; `gpt-*`, `chatgpt-*` and the `o<digit>` reasoning models → openai; `gemini-*` → gemini.
 * Anything else (including open-weight `gpt-oss-*`, which OpenAI's API does not serve) is undefined: the caller
 * needs a base URL and an OpenAI-compatible chat endpoint. A `models/` prefix (Gemini's resource form) is ignored.
 */
export function providerOf(model: string): Provider | undefined {
  const id = model
    .trim()
    .toLowerCase()
    .replace(/^models\//, "");
  if (id.startsWith("claude-")) return "anthropic";
  if (id.startsWith("gpt-oss")) return undefined;
  if (id.startsWith("gpt-") || id.startsWith("chatgpt-") || /^o\d/.test(id)) return "openai";
  if (id.startsWith("gemini-")) return "gemini";
  return undefined;
}
