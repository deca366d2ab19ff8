import { describe, expect, it } from "vitest";
import { convertUsage } from "./convert-usage.ts";

describe("convertUsage", () => {
  it("reads OpenAI's usage with cached prompt tokens", () => {
    const usage = {
      prompt_tokens: 1117,
      completion_tokens: 46,
      total_tokens: 1163,
      prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
    };
    expect(convertUsage(usage)).toEqual({ inputTokens: 1117, outputTokens: 46, cachedInputTokens: 1024 });
  });

  it("reads vLLM's null details and DeepSeek's cache-hit count", () => {
    expect(
      convertUsage({
        prompt_tokens: 812,
        total_tokens: 901,
        completion_tokens: 89,
        prompt_tokens_details: null,
      }),
    ).toEqual({ inputTokens: 812, outputTokens: 89, cachedInputTokens: 0 });
    expect(
      convertUsage({
        prompt_tokens: 100,
        completion_tokens: 5,
        prompt_cache_hit_tokens: 64,
        prompt_cache_miss_tokens: 36,
      }),
    ).toEqual({ inputTokens: 100, outputTokens: 5, cachedInputTokens: 64 });
  });

  it("counts missing or nonsense usage as zero", () => {
    const zero = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 };
    expect(convertUsage(undefined)).toEqual(zero);
    expect(convertUsage(null)).toEqual(zero);
    expect(convertUsage({ prompt_tokens: "12", completion_tokens: -1 })).toEqual(zero);
  });
});
