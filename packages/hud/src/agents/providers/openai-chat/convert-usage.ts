// Chat Completions `usage` as the call's token counts; servers that report none (Ollama without
// `stream_options`, some proxies) count as zero rather than failing the turn.
import type { CallUsage } from "../../model/model-client.ts";

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
}

/** Cached tokens from OpenAI's `prompt_tokens_details`, or DeepSeek's `prompt_cache_hit_tokens`. */
export function convertUsage(usage: unknown): CallUsage {
  if (typeof usage !== "object" || usage === null)
    return { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
  const u = usage as {
    prompt_tokens?: unknown;
    completion_tokens?: unknown;
    prompt_tokens_details?: { cached_tokens?: unknown } | null;
    prompt_cache_hit_tokens?: unknown;
  };
  return {
    inputTokens: count(u.prompt_tokens),
    outputTokens: count(u.completion_tokens),
    cachedInputTokens: count(u.prompt_tokens_details?.cached_tokens ?? u.prompt_cache_hit_tokens),
  };
}
