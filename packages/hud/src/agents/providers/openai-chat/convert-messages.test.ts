import { describe, expect, it } from "vitest";
import type { ConversationMessage, ModelToolCall } from "../../model/conversation.ts";
import { convertMessages, EMPTY_TOOL_RESULT, TOOL_IMAGE_LEAD } from "./convert-messages.ts";

const PNG = "iVBORw0KGgo=";
const cat: ModelToolCall = { id: "call_1", name: "bash", arguments: { command: "cat src/dates.js" } };

describe("convertMessages", () => {
  it("puts the system prompt first as a system message, and leaves it out when there is none", () => {
    const messages: ConversationMessage[] = [{ role: "user", content: [{ type: "text", text: "hi" }] }];
    expect(convertMessages(messages, "Be brief.")).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "hi" },
    ]);
    expect(convertMessages(messages)).toEqual([{ role: "user", content: "hi" }]);
    expect(convertMessages(messages, "")).toEqual([{ role: "user", content: "hi" }]);
  });

  it("sends user images as data-URL image_url parts beside the text", () => {
    const messages: ConversationMessage[] = [
      {
        role: "user",
        content: [
          { type: "text", text: "What is on the screen?" },
          { type: "image", mediaType: "image/png", data: PNG },
        ],
      },
    ];
    expect(convertMessages(messages)).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "What is on the screen?" },
          { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
        ],
      },
    ]);
  });

  it("sends assistant text and tool calls with JSON arguments, content null beside calls", () => {
    const messages: ConversationMessage[] = [
      { role: "assistant", text: "", toolCalls: [cat] },
      { role: "assistant", text: "Looking.", toolCalls: [cat] },
      { role: "assistant", text: "Done.", toolCalls: [] },
    ];
    const wireCall = {
      id: "call_1",
      type: "function",
      function: { name: "bash", arguments: '{"command":"cat src/dates.js"}' },
    };
    expect(convertMessages(messages)).toEqual([
      { role: "assistant", content: null, tool_calls: [wireCall] },
      { role: "assistant", content: "Looking.", tool_calls: [wireCall] },
      { role: "assistant", content: "Done." },
    ]);
  });

  it("replays unparseable arguments as {} so servers that parse history accept the request", () => {
    const bad: ModelToolCall = { id: "call_2", name: "edit", arguments: '{"filePath": "src/da' };
    const [message] = convertMessages([{ role: "assistant", text: "", toolCalls: [bad] }]);
    expect(message).toMatchObject({
      tool_calls: [{ id: "call_2", function: { name: "edit", arguments: "{}" } }],
    });
  });

  it("sends back the reasoning fields this adapter recorded, and no other adapter's native data", () => {
    const messages: ConversationMessage[] = [
      {
        role: "assistant",
        text: "4",
        reasoning: "2+2",
        toolCalls: [],
        native: { provider: "openai_compatible", value: { reasoning_content: "2+2" } },
      },
      {
        role: "assistant",
        text: "5",
        toolCalls: [],
        native: { provider: "anthropic", value: [{ type: "thinking" }] },
      },
    ];
    expect(convertMessages(messages)).toEqual([
      { role: "assistant", content: "4", reasoning_content: "2+2" },
      { role: "assistant", content: "5" },
    ]);
  });

  it("answers each call with a tool message carrying its id and text, or the reference's placeholder", () => {
    const ls: ModelToolCall = { id: "call_3", name: "bash", arguments: { command: "true" } };
    const messages: ConversationMessage[] = [
      {
        role: "tool",
        results: [
          {
            call: cat,
            output: { content: [{ type: "text", text: "$ cat src/dates.js\n…\n(exit 0)" }], isError: false },
          },
          { call: ls, output: { content: [], isError: false } },
        ],
      },
    ];
    expect(convertMessages(messages)).toEqual([
      { role: "tool", tool_call_id: "call_1", content: "$ cat src/dates.js\n…\n(exit 0)" },
      { role: "tool", tool_call_id: "call_3", content: EMPTY_TOOL_RESULT },
    ]);
  });

  it("follows the tool messages with one user message holding the last image any result returned", () => {
    const shot = (data: string) => ({ type: "image" as const, mediaType: "image/png", data });
    const other: ModelToolCall = { id: "call_4", name: "screenshot", arguments: {} };
    const messages: ConversationMessage[] = [
      {
        role: "tool",
        results: [
          { call: cat, output: { content: [shot("first"), { type: "text", text: "a" }], isError: false } },
          { call: other, output: { content: [shot("second")], isError: false } },
        ],
      },
    ];
    expect(convertMessages(messages)).toEqual([
      { role: "tool", tool_call_id: "call_1", content: "a" },
      { role: "tool", tool_call_id: "call_4", content: EMPTY_TOOL_RESULT },
      {
        role: "user",
        content: [
          { type: "text", text: TOOL_IMAGE_LEAD },
          { type: "image_url", image_url: { url: "data:image/png;base64,second" } },
        ],
      },
    ]);
  });

  it("converts each message once: a later call with the grown conversation reuses the earlier items", () => {
    const ask: ConversationMessage = { role: "user", content: [{ type: "text", text: "fix it" }] };
    const turn: ConversationMessage = { role: "assistant", text: "", toolCalls: [cat] };
    const first = convertMessages([ask, turn]);
    const result: ConversationMessage = {
      role: "tool",
      results: [{ call: cat, output: { content: [{ type: "text", text: "x" }], isError: false } }],
    };
    const second = convertMessages([ask, turn, result], "Be brief.");
    expect(second[1]).toBe(first[0]);
    expect(second[2]).toBe(first[1]);
    expect(second).toHaveLength(4);
    expect(second[0]).toEqual({ role: "system", content: "Be brief." });
  });
});
