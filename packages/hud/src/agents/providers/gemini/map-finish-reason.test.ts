// mapFinishReason: Gemini's finish strings to the loop's neutral reasons.
import { describe, expect, it } from "vitest";
import { mapFinishReason } from "./map-finish-reason.ts";

describe("mapFinishReason", () => {
  it("maps STOP to stop, or tool_calls when the turn called functions", () => {
    expect(mapFinishReason("STOP", false)).toBe("stop");
    expect(mapFinishReason("STOP", true)).toBe("tool_calls");
    expect(mapFinishReason(undefined, false)).toBe("stop");
  });

  it("keeps MAX_TOKENS as length even with calls, so stopOn length fires", () => {
    expect(mapFinishReason("MAX_TOKENS", false)).toBe("length");
    expect(mapFinishReason("MAX_TOKENS", true)).toBe("length");
  });

  it("treats filter stops and blocked prompts as refusals", () => {
    for (const reason of [
      "SAFETY",
      "RECITATION",
      "PROHIBITED_CONTENT",
      "SPII",
      "BLOCKLIST",
      "IMAGE_SAFETY",
    ]) {
      expect(mapFinishReason(reason, false)).toBe("refusal");
    }
    expect(mapFinishReason("OTHER_BLOCK", false)).toBe("refusal");
  });

  it("maps the rest to other", () => {
    expect(mapFinishReason("MALFORMED_FUNCTION_CALL", false)).toBe("other");
    expect(mapFinishReason("OTHER", false)).toBe("other");
    expect(mapFinishReason("FINISH_REASON_UNSPECIFIED", false)).toBe("other");
  });
});
