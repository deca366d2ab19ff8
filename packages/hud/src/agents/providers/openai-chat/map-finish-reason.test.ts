import { describe, expect, it } from "vitest";
import { mapFinishReason } from "./map-finish-reason.ts";

describe("mapFinishReason", () => {
  it("maps the official reasons", () => {
    expect(mapFinishReason("stop", false)).toBe("stop");
    expect(mapFinishReason("tool_calls", true)).toBe("tool_calls");
    expect(mapFinishReason("function_call", true)).toBe("tool_calls");
    expect(mapFinishReason("length", false)).toBe("length");
    expect(mapFinishReason("length", true)).toBe("length");
    expect(mapFinishReason("content_filter", false)).toBe("refusal");
  });

  it("reads a turn with calls as tool_calls even when the server says stop or nothing", () => {
    expect(mapFinishReason("stop", true)).toBe("tool_calls");
    expect(mapFinishReason(null, true)).toBe("tool_calls");
    expect(mapFinishReason(undefined, false)).toBe("stop");
  });

  it("reads a server's own reason as other", () => {
    expect(mapFinishReason("abort", false)).toBe("other");
  });
});
