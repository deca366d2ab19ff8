import type { Message, StopReason, Usage } from "@anthropic-ai/sdk/resources/messages";
import { describe, expect, it } from "vitest";
import { mapResponse, mapStopReason, mapUsage } from "./map-response.ts";

/** Usage as the API reports it on a cached call (fields per the SDK's `Usage`). */
function usage(fields: Partial<Usage>): Usage {
  return {
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_input_tokens: null,
    cache_read_input_tokens: null,
    cache_creation: null,
    inference_geo: "global",
    output_tokens_details: null,
    server_tool_use: null,
    service_tier: "standard",
    speed: null,
    ...fields,
  };
}

/** A response to a prompt-cached request with extended thinking: thinking, text, then a bash tool_use. */
const thinkingToolUse: Message = {
  id: "msg_01Aq9w938a90dw8q",
  type: "message",
  role: "assistant",
  model: "claude-sonnet-4-5-20250929",
  container: null,
  diagnostics: null,
  content: [
    {
      type: "thinking",
      thinking: "The tests fail on the last day of a range, so the loop bound is probably off by one.",
      signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYdsn5yEPOwGxsiRkMmrfI9MAn",
    },
    { type: "text", text: "Let me look at the date helper.", citations: null },
    {
      type: "tool_use",
      id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
      name: "bash",
      input: { command: "cat src/dates.js" },
      caller: { type: "direct" },
    },
  ],
  stop_reason: "tool_use",
  stop_sequence: null,
  stop_details: null,
  usage: usage({
    input_tokens: 12,
    cache_creation_input_tokens: 1504,
    cache_read_input_tokens: 2048,
    cache_creation: { ephemeral_5m_input_tokens: 1504, ephemeral_1h_input_tokens: 0 },
    output_tokens: 87,
    output_tokens_details: { thinking_tokens: 41 },
  }),
};

describe("mapResponse", () => {
  it("maps thinking to reasoning, tool_use to a call, and counts cache reads and writes as input", () => {
    const turn = mapResponse(thinkingToolUse);
    expect(turn).toMatchObject({
      message: {
        role: "assistant",
        text: "Let me look at the date helper.",
        reasoning: "The tests fail on the last day of a range, so the loop bound is probably off by one.",
        toolCalls: [
          { id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "bash", arguments: { command: "cat src/dates.js" } },
        ],
      },
      finishReason: "tool_calls",
      providerFinishReason: "tool_use",
      usage: { inputTokens: 12 + 1504 + 2048, outputTokens: 87, cachedInputTokens: 2048 },
      model: "claude-sonnet-4-5-20250929",
    });
  });

  it("keeps the turn as request blocks, signature intact, for the next call", () => {
    expect(mapResponse(thinkingToolUse).message.native).toEqual({
      provider: "anthropic",
      value: [
        {
          type: "thinking",
          thinking: "The tests fail on the last day of a range, so the loop bound is probably off by one.",
          signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYdsn5yEPOwGxsiRkMmrfI9MAn",
        },
        { type: "text", text: "Let me look at the date helper." },
        {
          type: "tool_use",
          id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
          name: "bash",
          input: { command: "cat src/dates.js" },
        },
      ],
    });
  });

  it("keeps unparseable tool input as the raw string, and sends {} back in its place", () => {
    const raw = '{"command": cat src/dates.js}';
    const turn = mapResponse({
      ...thinkingToolUse,
      content: [{ type: "tool_use", id: "toolu_02", name: "bash", input: raw, caller: { type: "direct" } }],
    });
    expect(turn.message.toolCalls).toEqual([{ id: "toolu_02", name: "bash", arguments: raw }]);
    expect(turn.message.native?.value).toEqual([
      { type: "tool_use", id: "toolu_02", name: "bash", input: {} },
    ]);
  });

  it("joins text blocks with nothing between (citations split sentences) and has no reasoning without thinking", () => {
    const turn = mapResponse({
      ...thinkingToolUse,
      content: [
        {
          type: "redacted_thinking",
          data: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP",
        },
        { type: "text", text: "The answer is ", citations: null },
        { type: "text", text: "4.", citations: null },
      ],
      stop_reason: "end_turn",
      usage: usage({ input_tokens: 30, output_tokens: 5 }),
    });
    expect(turn.message.text).toBe("The answer is 4.");
    expect(turn.message).not.toHaveProperty("reasoning");
    expect(turn.message.toolCalls).toEqual([]);
    expect(turn.usage).toEqual({ inputTokens: 30, outputTokens: 5, cachedInputTokens: 0 });
    // Redacted thinking is opaque: never shown, but sent back.
    expect(turn.message.native?.value).toContainEqual({
      type: "redacted_thinking",
      data: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP",
    });
  });

  it("reports a refusal with the raw stop reason", () => {
    const turn = mapResponse({
      ...thinkingToolUse,
      content: [],
      stop_reason: "refusal",
      stop_details: { type: "refusal", category: "cyber", explanation: null } as Message["stop_details"],
    });
    expect([turn.finishReason, turn.providerFinishReason, turn.message.text]).toEqual([
      "refusal",
      "refusal",
      "",
    ]);
  });
});

describe("mapStopReason", () => {
  it.each<[StopReason | null, string]>([
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["tool_use", "tool_calls"],
    ["max_tokens", "length"],
    ["model_context_window_exceeded", "length"],
    ["refusal", "refusal"],
    ["pause_turn", "other"],
    [null, "other"],
  ])("%s → %s", (reason, expected) => {
    expect(mapStopReason(reason)).toBe(expected);
  });
});

describe("mapUsage", () => {
  it("treats missing cache counters as zero", () => {
    expect(mapUsage(usage({ input_tokens: 7, output_tokens: 3 }))).toEqual({
      inputTokens: 7,
      outputTokens: 3,
      cachedInputTokens: 0,
    });
  });
});
