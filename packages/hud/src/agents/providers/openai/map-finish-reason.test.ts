// Response statuses as neutral finish reasons, with the provider's reason kept where the loop reads it.
import { describe, expect, it } from "vitest";
import { mapFinishReason } from "./map-finish-reason.ts";

describe("mapFinishReason", () => {
  it("is stop or tool_calls for a completed response", () => {
    expect(mapFinishReason({ status: "completed", incomplete_details: null }, false)).toEqual({
      finishReason: "stop",
    });
    expect(mapFinishReason({ status: "completed", incomplete_details: null }, true)).toEqual({
      finishReason: "tool_calls",
    });
  });

  it("is length for a response cut at max_output_tokens, calls or not", () => {
    for (const calls of [false, true]) {
      expect(
        mapFinishReason({ status: "incomplete", incomplete_details: { reason: "max_output_tokens" } }, calls),
      ).toEqual({ finishReason: "length", providerFinishReason: "max_output_tokens" });
    }
  });

  it("is refusal for a content filter, other for any other cut", () => {
    expect(
      mapFinishReason({ status: "incomplete", incomplete_details: { reason: "content_filter" } }, false),
    ).toEqual({ finishReason: "refusal", providerFinishReason: "content_filter" });
    expect(mapFinishReason({ status: "incomplete", incomplete_details: null }, false)).toEqual({
      finishReason: "other",
    });
  });

  it("treats a missing status (compatible servers) as completed, and keeps an unexpected one", () => {
    expect(mapFinishReason({ incomplete_details: null }, false)).toEqual({ finishReason: "stop" });
    expect(mapFinishReason({ status: "cancelled", incomplete_details: null }, false)).toEqual({
      finishReason: "other",
      providerFinishReason: "cancelled",
    });
  });
});
