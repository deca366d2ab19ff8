// The conversation as input items: user content, the assistant's own items sent back, tool and shell results.
import type { ResponseOutputItem } from "openai/resources/responses/responses";
import { describe, expect, it } from "vitest";
import type { AssistantMessage, ConversationMessage, ModelToolCall } from "../../model/conversation.ts";
import { convertInput } from "./convert-input.ts";
import { withNativeOutput } from "./native-output.ts";

const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";

/** An assistant turn as map-response.ts records it: the items of a recorded gpt-5 response. */
function nativeTurn(items: unknown[], calls: ModelToolCall[]): AssistantMessage {
  return {
    role: "assistant",
    text: "",
    toolCalls: calls,
    native: withNativeOutput(items as ResponseOutputItem[]),
  };
}

const SHELL_CALL = {
  id: "sh_68af4034aa2c8193a0d2d05d0f1d3c4b",
  type: "shell_call",
  call_id: "call_sh1",
  action: { commands: ["cat src/price.js"], timeout_ms: null, max_output_length: 12 },
  status: "completed",
  environment: null,
};
const FUNCTION_CALL = {
  id: "fc_68af4035c1f08193b5e2a3f4c6d7e8f9",
  type: "function_call",
  status: "completed",
  arguments: '{"path":"src/price.js"}',
  call_id: "call_fn1",
  name: "read_file",
};

describe("convertInput", () => {
  it("sends user text and images as input parts, images as data URLs", () => {
    const messages: ConversationMessage[] = [
      {
        role: "user",
        content: [
          { type: "text", text: "What is in this picture?" },
          { type: "image", mediaType: "image/png", data: PNG },
        ],
      },
    ];
    expect(convertInput(messages)).toEqual([
      {
        type: "message",
        role: "user",
        content: [
          { type: "input_text", text: "What is in this picture?" },
          { type: "input_image", image_url: `data:image/png;base64,${PNG}`, detail: "auto" },
        ],
      },
    ]);
  });

  it("sends the assistant's own items back without ids, and drops what cannot go back unstored", () => {
    const turn = nativeTurn(
      [
        {
          id: "rs_1",
          type: "reasoning",
          summary: [{ type: "summary_text", text: "plan" }],
          encrypted_content: "gAAAAB…",
          status: "completed",
        },
        { id: "rs_2", type: "reasoning", summary: [] },
        {
          id: "msg_1",
          type: "message",
          status: "completed",
          role: "assistant",
          phase: "commentary",
          content: [{ type: "output_text", annotations: [], text: "Let me look." }],
        },
        { id: "ws_1", type: "web_search_call", status: "completed", action: { type: "search", query: "x" } },
        FUNCTION_CALL,
      ],
      [{ id: "call_fn1", name: "read_file", arguments: { path: "src/price.js" } }],
    );
    expect(convertInput([turn])).toEqual([
      { type: "reasoning", summary: [{ type: "summary_text", text: "plan" }], encrypted_content: "gAAAAB…" },
      {
        type: "message",
        status: "completed",
        role: "assistant",
        phase: "commentary",
        content: [{ type: "output_text", annotations: [], text: "Let me look." }],
      },
      {
        type: "function_call",
        status: "completed",
        arguments: '{"path":"src/price.js"}',
        call_id: "call_fn1",
        name: "read_file",
      },
    ]);
  });

  it("answers function calls with function_call_output: text, error marker, structured content once", () => {
    const call = { id: "call_fn1", name: "read_file", arguments: { path: "src/price.js" } };
    const other = { id: "call_fn2", name: "docs__search", arguments: { q: "round" } };
    const third = { id: "call_fn3", name: "docs__stats", arguments: {} };
    const messages: ConversationMessage[] = [
      nativeTurn([FUNCTION_CALL], [call]),
      {
        role: "tool",
        results: [
          { call, output: { content: [{ type: "text", text: "1\tconst x = 1;" }], isError: false } },
          {
            call: other,
            output: { content: [{ type: "text", text: "no index" }], isError: true, structured: { hits: 0 } },
          },
          {
            call: third,
            output: {
              content: [{ type: "text", text: '{"files":3}' }],
              isError: false,
              structured: { files: 3 },
            },
          },
        ],
      },
    ];
    expect(convertInput(messages).slice(1)).toEqual([
      { type: "function_call_output", call_id: "call_fn1", output: "1\tconst x = 1;" },
      {
        type: "function_call_output",
        call_id: "call_fn2",
        output: '[tool_error] true\n{"hits":0}\nno index',
      },
      { type: "function_call_output", call_id: "call_fn3", output: '{"files":3}' },
    ]);
  });

  it("sends a result with images as a part list", () => {
    const call = { id: "call_fn1", name: "screenshot", arguments: {} };
    const messages: ConversationMessage[] = [
      { role: "assistant", text: "", toolCalls: [call] },
      {
        role: "tool",
        results: [
          {
            call,
            output: {
              content: [
                { type: "text", text: "the page" },
                { type: "image", mediaType: "image/png", data: PNG },
              ],
              isError: true,
            },
          },
        ],
      },
    ];
    expect(convertInput(messages)[1]).toEqual({
      type: "function_call_output",
      call_id: "call_fn1",
      output: [
        { type: "input_text", text: "[tool_error] true" },
        { type: "input_text", text: "the page" },
        { type: "input_image", image_url: `data:image/png;base64,${PNG}`, detail: "auto" },
      ],
    });
  });

  it("answers a shell call with shell_call_output, bounded to the length it asked for", () => {
    const call = { id: "call_sh1", name: "shell", arguments: { commands: ["cat src/price.js"] } };
    const messages: ConversationMessage[] = [
      nativeTurn([SHELL_CALL], [call]),
      {
        role: "tool",
        results: [
          {
            call,
            output: {
              content: [{ type: "text", text: "$ cat src/price.js\n…" }],
              isError: true,
              structured: { stdout: "0123456789", stderr: "warning: x", exit_code: 2 },
            },
          },
        ],
      },
    ];
    expect(convertInput(messages)).toEqual([
      { type: "shell_call", call_id: "call_sh1", action: SHELL_CALL.action, status: "completed" },
      {
        type: "shell_call_output",
        call_id: "call_sh1",
        output: [{ stdout: "0123456789", stderr: "wa", outcome: { type: "exit", exit_code: 2 } }],
        max_output_length: 12,
      },
    ]);
  });

  it("reports a shell call that never ran (no structured output) with its message as stderr", () => {
    const action = { commands: ["sleep 100"], timeout_ms: 100, max_output_length: null };
    const call = { id: "call_sh2", name: "shell", arguments: { commands: ["sleep 100"], timeout_ms: 100 } };
    const messages: ConversationMessage[] = [
      nativeTurn([{ ...SHELL_CALL, call_id: "call_sh2", action }], [call]),
      {
        role: "tool",
        results: [
          {
            call,
            output: {
              content: [{ type: "text", text: "shell timed out after 0.1s; retry with a shorter command" }],
              isError: true,
            },
          },
        ],
      },
    ];
    expect(convertInput(messages)[1]).toEqual({
      type: "shell_call_output",
      call_id: "call_sh2",
      output: [
        {
          stdout: "",
          stderr: "shell timed out after 0.1s; retry with a shorter command",
          outcome: { type: "exit", exit_code: 1 },
        },
      ],
    });
  });

  it("rebuilds a turn another adapter recorded as a message and function calls, raw arguments kept", () => {
    const good = { id: "toolu_01", name: "shell", arguments: { commands: ["ls"] } };
    const cut = { id: "toolu_02", name: "edit_file", arguments: '{"path":' };
    const messages: ConversationMessage[] = [
      {
        role: "assistant",
        text: "Looking around.",
        toolCalls: [good, cut],
        native: { provider: "anthropic", value: [] },
      },
      {
        role: "tool",
        results: [
          {
            call: good,
            output: {
              content: [{ type: "text", text: "src" }],
              isError: false,
              structured: { stdout: "src", stderr: "", exit_code: 0 },
            },
          },
          { call: cut, output: { content: [{ type: "text", text: "incomplete" }], isError: true } },
        ],
      },
    ];
    expect(convertInput(messages)).toEqual([
      { type: "message", role: "assistant", content: "Looking around." },
      { type: "function_call", call_id: "toolu_01", name: "shell", arguments: '{"commands":["ls"]}' },
      { type: "function_call", call_id: "toolu_02", name: "edit_file", arguments: '{"path":' },
      // Answered as the function call it was sent as, not as a shell call.
      {
        type: "function_call_output",
        call_id: "toolu_01",
        output: '{"stdout":"src","stderr":"","exit_code":0}\nsrc',
      },
      { type: "function_call_output", call_id: "toolu_02", output: "[tool_error] true\nincomplete" },
    ]);
  });
});
