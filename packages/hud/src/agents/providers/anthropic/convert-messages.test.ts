import { describe, expect, it } from "vitest";
import type { AssistantMessage, ConversationMessage, ModelToolCall } from "../../model/conversation.ts";
import { convertMessages } from "./convert-messages.ts";

const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
const CACHE = { cache_control: { type: "ephemeral" } };

const cat: ModelToolCall = { id: "toolu_01A", name: "bash", arguments: { command: "cat src/dates.js" } };
const view: ModelToolCall = {
  id: "toolu_01B",
  name: "str_replace_based_edit_tool",
  arguments: { command: "view", path: "/tmp/shot.png" },
};

describe("convertMessages", () => {
  it("sends the prompt's text and images as one user message, cached at its last block, with system apart", () => {
    const prompt = convertMessages(
      [
        {
          role: "user",
          content: [
            { type: "text", text: "What is in this picture?" },
            { type: "image", mediaType: "image/png", data: PNG },
          ],
        },
      ],
      "Answer briefly.",
    );
    expect(prompt).toEqual({
      system: "Answer briefly.",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is in this picture?" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: PNG }, ...CACHE },
          ],
        },
      ],
    });
  });

  it("sends a turn's calls as tool_use and their results as one user message of tool_result blocks", () => {
    const messages: ConversationMessage[] = [
      { role: "user", content: [{ type: "text", text: "Fix the bug." }] },
      { role: "assistant", text: "Looking.", toolCalls: [cat, view] },
      {
        role: "tool",
        results: [
          {
            call: cat,
            output: {
              content: [
                { type: "text", text: "$ cat src/dates.js\nexport function dateRange() {}\n(exit 0)" },
              ],
              isError: false,
            },
          },
          {
            call: view,
            output: { content: [{ type: "image", mediaType: "image/png", data: PNG }], isError: false },
          },
        ],
      },
    ];
    const { messages: sent } = convertMessages(messages);
    expect(sent).toEqual([
      { role: "user", content: [{ type: "text", text: "Fix the bug." }] },
      {
        role: "assistant",
        content: [
          { type: "text", text: "Looking." },
          { type: "tool_use", id: "toolu_01A", name: "bash", input: { command: "cat src/dates.js" } },
          {
            type: "tool_use",
            id: "toolu_01B",
            name: "str_replace_based_edit_tool",
            input: { command: "view", path: "/tmp/shot.png" },
          },
        ],
      },
      {
        role: "user",
        content: [
          {
            type: "tool_result",
            tool_use_id: "toolu_01A",
            content: [{ type: "text", text: "$ cat src/dates.js\nexport function dateRange() {}\n(exit 0)" }],
          },
          {
            type: "tool_result",
            tool_use_id: "toolu_01B",
            content: [{ type: "image", source: { type: "base64", media_type: "image/png", data: PNG } }],
            ...CACHE,
          },
        ],
      },
    ]);
    expect(sent).not.toHaveProperty("system");
  });

  it("replaces an error result by 'Error: <first text>' and drops its other parts", () => {
    const [, , results] = convertMessages([
      { role: "user", content: [{ type: "text", text: "go" }] },
      { role: "assistant", text: "", toolCalls: [cat] },
      {
        role: "tool",
        results: [
          {
            call: cat,
            output: {
              content: [
                { type: "text", text: "cat: src/dates.js: No such file or directory" },
                { type: "text", text: "(exit 1)" },
                { type: "image", mediaType: "image/png", data: PNG },
              ],
              isError: true,
            },
          },
        ],
      },
    ]).messages;
    expect(results!.content).toEqual([
      {
        type: "tool_result",
        tool_use_id: "toolu_01A",
        content: [{ type: "text", text: "Error: cat: src/dates.js: No such file or directory" }],
        is_error: true,
        ...CACHE,
      },
    ]);
  });

  it("sends the stored blocks of a Claude turn verbatim, thinking signature included", () => {
    const turn: AssistantMessage = {
      role: "assistant",
      text: "Checking.",
      reasoning: "Off by one?",
      toolCalls: [cat],
      native: {
        provider: "anthropic",
        value: [
          { type: "thinking", thinking: "Off by one?", signature: "EqQBCgIYAhIM1gbc" },
          { type: "redacted_thinking", data: "EmwKAhgBEgy3va3p" },
          { type: "text", text: "Checking." },
          { type: "tool_use", id: "toolu_01A", name: "bash", input: { command: "cat src/dates.js" } },
        ],
      },
    };
    const [, assistant] = convertMessages([
      { role: "user", content: [{ type: "text", text: "go" }] },
      turn,
    ]).messages;
    expect(assistant).toEqual({ role: "assistant", content: turn.native!.value });
    // A turn another provider recorded is rebuilt from its neutral fields.
    const foreign = convertMessages([
      { ...turn, native: { provider: "openai", value: [{ id: "rs_1" }] } },
    ]).messages;
    expect(foreign[0]!.content).toEqual([
      { type: "text", text: "Checking." },
      { type: "tool_use", id: "toolu_01A", name: "bash", input: { command: "cat src/dates.js" } },
    ]);
  });

  it("merges a user turn after tool results into one message, tool results first, cached only at the end", () => {
    const { messages } = convertMessages([
      { role: "user", content: [{ type: "text", text: "go" }] },
      { role: "assistant", text: "", toolCalls: [{ ...cat, arguments: '{"command": cat' }] },
      {
        role: "tool",
        results: [{ call: cat, output: { content: [{ type: "text", text: "" }], isError: false } }],
      },
      { role: "user", content: [{ type: "text", text: "CONTINUE" }] },
    ]);
    expect(messages).toEqual([
      { role: "user", content: [{ type: "text", text: "go" }] },
      // Unparsed arguments go back as an empty object: the API accepts only objects as input.
      { role: "assistant", content: [{ type: "tool_use", id: "toolu_01A", name: "bash", input: {} }] },
      {
        role: "user",
        content: [
          // Empty text is rejected by the API, so an empty result carries no content.
          { type: "tool_result", tool_use_id: "toolu_01A" },
          { type: "text", text: "CONTINUE", ...CACHE },
        ],
      },
    ]);
  });

  it("drops an empty assistant turn rather than send an empty message", () => {
    const { messages } = convertMessages([
      { role: "user", content: [{ type: "text", text: "hello" }] },
      { role: "assistant", text: "", toolCalls: [] },
      { role: "user", content: [{ type: "text", text: "CONTINUE" }] },
    ]);
    expect(messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "hello" },
          { type: "text", text: "CONTINUE", ...CACHE },
        ],
      },
    ]);
  });
});
