// A Response's `usage` as the call's token counts; compatible servers that omit parts of it count as zero.
import type { ResponseUsage } from "openai/resources/responses/responses";
import type { CallUsage } from "../../model/model-client.ts";

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
}

/** `input_tokens` includes the cached ones, as CallUsage wants; reasoning tokens are part of `output_tokens`. */
export function convertUsage(usage: Partial<ResponseUsage> | null | undefined): CallUsage {
  return {
    inputTokens: count(usage?.input_tokens),
    outputTokens: count(usage?.output_tokens),
    cachedInputTokens: count(usage?.input_tokens_details?.cached_tokens),
  };
}
