// Response usage as call token counts.
import { describe, expect, it } from "vitest";
import { convertUsage } from "./convert-usage.ts";

describe("convertUsage", () => {
  it("reads input, output and cached tokens", () => {
    expect(
      convertUsage({
        input_tokens: 5210,
        input_tokens_details: { cached_tokens: 4992, cache_write_tokens: 0 },
        output_tokens: 388,
        output_tokens_details: { reasoning_tokens: 256 },
        total_tokens: 5598,
      }),
    ).toEqual({ inputTokens: 5210, outputTokens: 388, cachedInputTokens: 4992 });
  });

  it("counts what a compatible server leaves out as zero", () => {
    expect(convertUsage(undefined)).toEqual({ inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 });
    expect(convertUsage({ input_tokens: 12, output_tokens: 3 })).toEqual({
      inputTokens: 12,
      outputTokens: 3,
      cachedInputTokens: 0,
    });
  });
});
