// convertUsage: Gemini's usageMetadata, thinking tokens counted as output.
import { describe, expect, it } from "vitest";
import { convertUsage } from "./convert-usage.ts";

describe("convertUsage", () => {
  it("adds thinking tokens to output and keeps cached tokens inside input", () => {
    // As recorded from gemini-2.5-pro with implicit caching.
    const metadata = {
      promptTokenCount: 11950,
      candidatesTokenCount: 58,
      totalTokenCount: 12402,
      cachedContentTokenCount: 10212,
      promptTokensDetails: [{ modality: "TEXT", tokenCount: 11950 }],
      cacheTokensDetails: [{ modality: "TEXT", tokenCount: 10212 }],
      thoughtsTokenCount: 394,
    } as Parameters<typeof convertUsage>[0];
    expect(convertUsage(metadata)).toEqual({
      inputTokens: 11950,
      outputTokens: 452,
      cachedInputTokens: 10212,
    });
  });

  it("counts missing fields as zero", () => {
    expect(convertUsage({ promptTokenCount: 7, totalTokenCount: 7 })).toEqual({
      inputTokens: 7,
      outputTokens: 0,
      cachedInputTokens: 0,
    });
    expect(convertUsage(undefined)).toEqual({ inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 });
  });
});
