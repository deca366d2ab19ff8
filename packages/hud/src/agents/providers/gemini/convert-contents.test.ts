// convertContents: roles, thought signatures sent back verbatim, function responses, image pruning.
import { describe, expect, it } from "vitest";
import type { AssistantMessage, ConversationMessage, ToolResultsMessage } from "../../model/conversation.ts";
import { convertContents, IMAGE_TURNS_KEPT } from "./convert-contents.ts";

const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

/** A Gemini 3 turn as recorded from the API: a thought summary, then a signed function call. */
const RECORDED_PARTS = [
  { text: "**Inspecting the file**\n\nI should read calc.py before changing it.", thought: true },
  {
    functionCall: { name: "run_shell_command", args: { command: "cat calc.py" } },
    thoughtSignature: "CiQB0e2Kb6vTq0Qm3P2kYVZ0x1sVq7dWm9bS2cK8lZfXy0ygmmEKZgHR7Ypv",
  },
];

function recordedTurn(): AssistantMessage {
  return {
    role: "assistant",
    text: "",
    reasoning: "**Inspecting the file**\n\nI should read calc.py before changing it.",
    toolCalls: [{ id: "call_1", name: "run_shell_command", arguments: { command: "cat calc.py" } }],
    native: { provider: "gemini", value: { parts: RECORDED_PARTS } },
  };
}

function results(
  call: AssistantMessage["toolCalls"][number],
  text: string,
  isError = false,
): ToolResultsMessage {
  return { role: "tool", results: [{ call, output: { content: [{ type: "text", text }], isError } }] };
}

describe("convertContents", () => {
  it("sends user text and images as a user turn", () => {
    const contents = convertContents([
      {
        role: "user",
        content: [
          { type: "text", text: "What is in the picture?" },
          { type: "image", mediaType: "image/png", data: PNG },
        ],
      },
    ]);
    expect(contents).toEqual([
      {
        role: "user",
        parts: [{ text: "What is in the picture?" }, { inlineData: { mimeType: "image/png", data: PNG } }],
      },
    ]);
  });

  it("sends a recorded model turn back verbatim, thought signature included", () => {
    const turn = recordedTurn();
    const contents = convertContents([{ role: "user", content: [{ type: "text", text: "fix it" }] }, turn]);
    expect(contents[1]).toEqual({ role: "model", parts: RECORDED_PARTS });
    expect(contents[1]!.parts![1]!.thoughtSignature).toBe(RECORDED_PARTS[1]!.thoughtSignature);
  });

  it("answers calls with {success, output} or {error}, naming the function, without ids Gemini did not issue", () => {
    const turn = recordedTurn();
    const ok = convertContents([
      turn,
      results(turn.toolCalls[0]!, "$ cat calc.py\ndef add(a, b): ...\n(exit 0)"),
    ]);
    expect(ok[1]).toEqual({
      role: "user",
      parts: [
        {
          functionResponse: {
            name: "run_shell_command",
            response: { success: true, output: "$ cat calc.py\ndef add(a, b): ...\n(exit 0)" },
          },
        },
      ],
    });
    const failed = convertContents([turn, results(turn.toolCalls[0]!, "$ cat nope\n(exit 1)", true)]);
    expect(failed[1]!.parts![0]!.functionResponse!.response).toEqual({ error: "$ cat nope\n(exit 1)" });
  });

  it("echoes the call id when Gemini issued one", () => {
    const parts = [{ functionCall: { id: "fc-7f3a", name: "glob", args: { pattern: "*.py" } } }];
    const turn: AssistantMessage = {
      role: "assistant",
      text: "",
      toolCalls: [{ id: "fc-7f3a", name: "glob", arguments: { pattern: "*.py" } }],
      native: { provider: "gemini", value: { parts } },
    };
    const contents = convertContents([turn, results(turn.toolCalls[0]!, "calc.py")]);
    expect(contents[1]!.parts![0]!.functionResponse).toMatchObject({ id: "fc-7f3a", name: "glob" });
  });

  it("rebuilds a turn recorded by another provider from its text and calls, without its ids or reasoning", () => {
    const turn: AssistantMessage = {
      role: "assistant",
      text: "Let me look.",
      reasoning: "thinking by another model",
      toolCalls: [
        { id: "toolu_01", name: "read_file", arguments: { file_path: "calc.py" } },
        { id: "toolu_02", name: "glob", arguments: '{"pattern": "*.p' },
      ],
      native: { provider: "anthropic", value: [{ type: "thinking", signature: "x" }] },
    };
    expect(convertContents([turn])).toEqual([
      {
        role: "model",
        parts: [
          { text: "Let me look." },
          { functionCall: { name: "read_file", args: { file_path: "calc.py" } } },
          { functionCall: { name: "glob", args: {} } },
        ],
      },
    ]);
  });

  it("leaves out a model turn with no parts (Gemini rejects empty contents)", () => {
    const empty: AssistantMessage = { role: "assistant", text: "", toolCalls: [] };
    const contents = convertContents([
      { role: "user", content: [{ type: "text", text: "hi" }] },
      empty,
      { role: "user", content: [{ type: "text", text: "CONTINUE" }] },
    ]);
    expect(contents.map((c) => c.role)).toEqual(["user", "user"]);
  });

  it("puts tool-result images after the function responses and keeps them only in the latest image turns", () => {
    const call = { id: "call_1", name: "screenshot", arguments: {} };
    const turn: AssistantMessage = { role: "assistant", text: "", toolCalls: [call] };
    const shot = (n: number): ToolResultsMessage => ({
      role: "tool",
      results: [
        {
          call,
          output: {
            content: [
              { type: "text", text: `shot ${n}` },
              { type: "image", mediaType: "image/png", data: `${PNG}${n}` },
            ],
            isError: false,
          },
        },
      ],
    });
    const messages: ConversationMessage[] = [];
    for (let n = 1; n <= IMAGE_TURNS_KEPT + 2; n++) messages.push(turn, shot(n));
    const toolTurns = convertContents(messages).filter((c) => c.role === "user");
    const withImages = toolTurns.map((c) => c.parts!.filter((p) => p.inlineData).length);
    expect(withImages).toEqual([0, 0, 1, 1, 1]);
    const last = toolTurns.at(-1)!.parts!;
    expect(last[0]!.functionResponse!.response).toEqual({ success: true, output: "shot 5" });
    expect(last[1]).toEqual({ inlineData: { mimeType: "image/png", data: `${PNG}5` } });
  });
});
