// Responses as the API sends them (non-streaming bodies, shaped after recorded gpt-5 traffic) mapped to turns.
import type { Response } from "openai/resources/responses/responses";
import { describe, expect, it } from "vitest";
import type { ToolSpec } from "../../model/model-client.ts";
import { mapResponse } from "./map-response.ts";

/** The fields every Response body carries, around the output and usage a test cares about. */
function recorded(fields: Record<string, unknown>): Response {
  return {
    id: "resp_68af4030592c81938ec0a5fbab4a3e9f05438e46b5f69a3b",
    object: "response",
    created_at: 1756315696,
    status: "completed",
    background: false,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model: "gpt-5-2025-08-07",
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: "medium", summary: "auto" },
    service_tier: "default",
    store: false,
    temperature: 1,
    text: { format: { type: "text" }, verbosity: "medium" },
    tool_choice: "auto",
    tools: [],
    top_p: 1,
    truncation: "disabled",
    user: null,
    metadata: {},
    usage: {
      input_tokens: 1843,
      input_tokens_details: { cached_tokens: 1536 },
      output_tokens: 152,
      output_tokens_details: { reasoning_tokens: 128 },
      total_tokens: 1995,
    },
    ...fields,
  } as unknown as Response;
}

const REASONING = {
  id: "rs_68af4030baa48193b0b43b4c2a176a1a05438e46b5f69a3b",
  type: "reasoning",
  encrypted_content: "gAAAAABor0AzKx3c0Yc2Lh9b…",
  summary: [
    { type: "summary_text", text: "**Looking at the price code**\n\nThe cents are truncated." },
    { type: "summary_text", text: "**Planning the fix**\n\nRound instead." },
  ],
};

const TOOLS: ToolSpec[] = [
  {
    name: "shell",
    native: "openai-shell",
    description: "Run shell commands in the workspace, one after another.",
    parameters: { type: "object", properties: { commands: { type: "array", items: { type: "string" } } } },
  },
  {
    name: "edit_file",
    description: "Replace exact text in a file of the workspace.",
    parameters: {
      type: "object",
      properties: {
        path: { type: "string" },
        old_string: { type: "string" },
        new_string: { type: "string" },
        replace_all: { type: "boolean" },
      },
      required: ["path", "old_string", "new_string"],
      additionalProperties: false,
    },
  },
];

describe("mapResponse", () => {
  it("maps a final answer: text, reasoning summary, usage with cached tokens, the served model", () => {
    const response = recorded({
      output: [
        REASONING,
        {
          id: "msg_68af40337fac8193a4b7b8b6dc7f2f5a05438e46b5f69a3b",
          type: "message",
          status: "completed",
          role: "assistant",
          phase: "final_answer",
          content: [{ type: "output_text", annotations: [], logprobs: [], text: "formatPrice now rounds." }],
        },
      ],
    });
    const turn = mapResponse(response, TOOLS, "gpt-5");
    expect(turn).toMatchObject({
      message: {
        role: "assistant",
        text: "formatPrice now rounds.",
        reasoning:
          "**Looking at the price code**\n\nThe cents are truncated.\n\n**Planning the fix**\n\nRound instead.",
        toolCalls: [],
      },
      finishReason: "stop",
      usage: { inputTokens: 1843, outputTokens: 152, cachedInputTokens: 1536 },
      model: "gpt-5-2025-08-07",
    });
    expect(turn.providerFinishReason).toBeUndefined();
    // The items themselves ride along, to be sent back on the next call.
    expect(turn.message.native).toEqual({ provider: "openai", value: response.output });
  });

  it("maps a function call (strict nulls removed) and a shell call to the tools standing for them", () => {
    const response = recorded({
      output: [
        REASONING,
        {
          id: "sh_68af4034aa2c8193a0d2d05d0f1d3c4b05438e46b5f69a3b",
          type: "shell_call",
          call_id: "call_Xk2nq1VvT3s0oJmB6yZr8Lwe",
          action: {
            commands: ["cat src/price.js", "node --test"],
            timeout_ms: 120000,
            max_output_length: null,
          },
          status: "completed",
          environment: null,
        },
        {
          id: "fc_68af4035c1f08193b5e2a3f4c6d7e8f905438e46b5f69a3b",
          type: "function_call",
          status: "completed",
          arguments:
            '{"path":"src/price.js","old_string":"Math.floor(amount * 100)","new_string":"Math.round(amount * 100)","replace_all":null}',
          call_id: "call_pRfCc0vMYv1TpBxQuwS3IYCw",
          name: "edit_file",
        },
      ],
    });
    const turn = mapResponse(response, TOOLS, "gpt-5");
    expect(turn.message.toolCalls).toEqual([
      {
        id: "call_Xk2nq1VvT3s0oJmB6yZr8Lwe",
        name: "shell",
        arguments: { commands: ["cat src/price.js", "node --test"], timeout_ms: 120000 },
      },
      {
        id: "call_pRfCc0vMYv1TpBxQuwS3IYCw",
        name: "edit_file",
        arguments: {
          path: "src/price.js",
          old_string: "Math.floor(amount * 100)",
          new_string: "Math.round(amount * 100)",
        },
      },
    ]);
    expect(turn.finishReason).toBe("tool_calls");
    expect(turn.message.text).toBe("");
  });

  it("names a shell call after the tool offered for it, and leaves out a null timeout", () => {
    const shell = { ...TOOLS[0]!, name: "sh" };
    const response = recorded({
      output: [
        {
          id: "sh_1",
          type: "shell_call",
          call_id: "call_1",
          action: { commands: ["ls"], timeout_ms: null, max_output_length: 2048 },
          status: "completed",
          environment: null,
        },
      ],
    });
    expect(mapResponse(response, [shell], "gpt-5").message.toolCalls).toEqual([
      { id: "call_1", name: "sh", arguments: { commands: ["ls"] } },
    ]);
  });

  it("keeps cut-off arguments raw, and reports a response cut at max_output_tokens as length", () => {
    const response = recorded({
      status: "incomplete",
      incomplete_details: { reason: "max_output_tokens" },
      output: [
        {
          id: "fc_1",
          type: "function_call",
          status: "incomplete",
          arguments: '{"path":"src/pri',
          call_id: "call_1",
          name: "edit_file",
        },
      ],
    });
    const turn = mapResponse(response, TOOLS, "gpt-5");
    expect(turn.message.toolCalls).toEqual([
      { id: "call_1", name: "edit_file", arguments: '{"path":"src/pri' },
    ]);
    expect(turn.finishReason).toBe("length");
    expect(turn.providerFinishReason).toBe("max_output_tokens");
  });

  it("gives a refusal as the text, with finish reason refusal", () => {
    const response = recorded({
      output: [
        {
          id: "msg_1",
          type: "message",
          status: "completed",
          role: "assistant",
          content: [{ type: "refusal", refusal: "I can't help with that." }],
        },
      ],
    });
    const turn = mapResponse(response, TOOLS, "gpt-5");
    expect(turn.message.text).toBe("I can't help with that.");
    expect(turn.finishReason).toBe("refusal");
  });

  it("takes reasoning text when a compatible server sends no summary", () => {
    const response = recorded({
      output: [
        { id: "rs_1", type: "reasoning", summary: [], content: [{ type: "reasoning_text", text: "3 r's." }] },
        { id: "msg_1", type: "message", status: "completed", role: "assistant", content: [] },
      ],
    });
    expect(mapResponse(response, [], "gpt-5").message.reasoning).toBe("3 r's.");
  });

  it("falls back to the requested model and zero usage when a compatible server omits them", () => {
    const response = recorded({ model: "", usage: undefined, output: [] });
    expect(mapResponse(response, [], "gpt-5")).toMatchObject({
      model: "gpt-5",
      usage: { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 },
    });
  });

  it("raises a failed response as one line with its code", () => {
    const response = recorded({
      status: "failed",
      error: { code: "server_error", message: "The model failed to generate a response." },
      output: [],
    });
    expect(() => mapResponse(response, [], "gpt-5")).toThrow(
      "the OpenAI response failed: server_error: The model failed to generate a response.",
    );
  });
});
