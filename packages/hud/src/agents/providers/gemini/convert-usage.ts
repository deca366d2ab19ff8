// Gemini's usageMetadata as the neutral CallUsage.
import type { GenerateContentResponseUsageMetadata } from "@google/genai";
import type { CallUsage } from "../../model/model-client.ts";

function count(value: number | undefined): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/**
 * Thinking tokens are billed as output but counted apart from `candidatesTokenCount`, so they are added back.
 * `cachedContentTokenCount` is already part of `promptTokenCount`, as CallUsage expects.
 */
export function convertUsage(metadata: GenerateContentResponseUsageMetadata | undefined): CallUsage {
  return {
    inputTokens: count(metadata?.promptTokenCount),
    outputTokens: count(metadata?.candidatesTokenCount) + count(metadata?.thoughtsTokenCount),
    cachedInputTokens: count(metadata?.cachedContentTokenCount),
  };
}
