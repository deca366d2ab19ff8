// Responses as servers really send them (captured shapes, trimmed ids), through mapResponse.
import type { ChatCompletion } from "openai/resources/chat/completions";
import { describe, expect, it } from "vitest";
import { mapResponse, splitThinking } from "./map-response.ts";

const wire = (body: unknown) => body as ChatCompletion;
let ids = 0;
const newId = () => `call_gen${++ids}`;

/** vLLM 0.9 serving Qwen3-8B with `--reasoning-parser qwen3 --tool-call-parser hermes`. */
const VLLM_TOOL_CALL = {
  id: "chatcmpl-5b0c3f6e2a8d4b7f9e1c0a2d3b4c5d6e",
  object: "chat.completion",
  created: 1752000000,
  model: "Qwen/Qwen3-8B",
  choices: [
    {
      index: 0,
      message: {
        role: "assistant",
        reasoning_content: "The tests fail on the last day. I should read src/dates.js first.",
        content: "\n\n",
        refusal: null,
        annotations: null,
        audio: null,
        function_call: null,
        tool_calls: [
          {
            id: "chatcmpl-tool-9d3e7c1b5a4f4e2d8c6b0a9f8e7d6c5b",
            type: "function",
            function: { name: "bash", arguments: '{"command": "cat src/dates.js"}' },
          },
        ],
      },
      logprobs: null,
      finish_reason: "tool_calls",
      stop_reason: null,
    },
  ],
  service_tier: null,
  system_fingerprint: null,
  usage: { prompt_tokens: 812, total_tokens: 901, completion_tokens: 89, prompt_tokens_details: null },
  prompt_logprobs: null,
  kv_transfer_params: null,
};

/** Ollama's /v1/chat/completions answer, here without a usage block. */
const OLLAMA_ANSWER = {
  id: "chatcmpl-245",
  object: "chat.completion",
  created: 1752000100,
  model: "llama3.2",
  system_fingerprint: "fp_ollama",
  choices: [{ index: 0, message: { role: "assistant", content: "3" }, finish_reason: "stop" }],
};

/** OpenAI itself, with prompt caching. */
const OPENAI_TOOL_CALL = {
  id: "chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG",
  object: "chat.completion",
  created: 1741570283,
  model: "gpt-5.4-mini-2026-03-05",
  choices: [
    {
      index: 0,
      message: {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: "call_abc123",
            type: "function",
            function: { name: "read", arguments: '{"filePath":"src/price.js"}' },
          },
          {
            id: "call_def456",
            type: "function",
            function: { name: "glob", arguments: '{"pattern":"test/*.js"}' },
          },
        ],
        refusal: null,
        annotations: [],
      },
      logprobs: null,
      finish_reason: "tool_calls",
    },
  ],
  usage: {
    prompt_tokens: 1117,
    completion_tokens: 46,
    total_tokens: 1163,
    prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
  },
  service_tier: "default",
};

/** OpenRouter relaying DeepSeek-R1: reasoning in `reasoning` and `reasoning_details`. */
const OPENROUTER_REASONING = {
  id: "gen-1752000200-AbCdEf",
  provider: "DeepInfra",
  model: "deepseek/deepseek-r1",
  object: "chat.completion",
  created: 1752000200,
  choices: [
    {
      logprobs: null,
      finish_reason: "stop",
      native_finish_reason: "stop",
      index: 0,
      message: {
        role: "assistant",
        content: "4",
        refusal: null,
        reasoning: "2 + 2 is 4.",
        reasoning_details: [{ type: "reasoning.text", text: "2 + 2 is 4.", format: "unknown", index: 0 }],
      },
    },
  ],
  usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 },
};

describe("mapResponse", () => {
  it("reads a vLLM tool call with reasoning_content, and keeps the field to send back", () => {
    const turn = mapResponse(wire(VLLM_TOOL_CALL), "qwen3-8b", newId);
    expect(turn).toEqual({
      message: {
        role: "assistant",
        text: "\n\n",
        reasoning: "The tests fail on the last day. I should read src/dates.js first.",
        toolCalls: [
          {
            id: "chatcmpl-tool-9d3e7c1b5a4f4e2d8c6b0a9f8e7d6c5b",
            name: "bash",
            arguments: { command: "cat src/dates.js" },
          },
        ],
        native: {
          provider: "openai_compatible",
          value: { reasoning_content: "The tests fail on the last day. I should read src/dates.js first." },
        },
      },
      finishReason: "tool_calls",
      providerFinishReason: "tool_calls",
      usage: { inputTokens: 812, outputTokens: 89, cachedInputTokens: 0 },
      model: "Qwen/Qwen3-8B",
    });
  });

  it("reads an Ollama answer without usage as zero tokens", () => {
    const turn = mapResponse(wire(OLLAMA_ANSWER), "llama3.2", newId);
    expect(turn.message).toEqual({ role: "assistant", text: "3", toolCalls: [] });
    expect(turn.finishReason).toBe("stop");
    expect(turn.usage).toEqual({ inputTokens: 0, outputTokens: 0, cachedInputTokens: 0 });
  });

  it("reads OpenAI's parallel calls and cached tokens", () => {
    const turn = mapResponse(wire(OPENAI_TOOL_CALL), "gpt-5.4-mini", newId);
    expect(turn.message.text).toBe("");
    expect(turn.message.toolCalls).toEqual([
      { id: "call_abc123", name: "read", arguments: { filePath: "src/price.js" } },
      { id: "call_def456", name: "glob", arguments: { pattern: "test/*.js" } },
    ]);
    expect(turn.usage).toEqual({ inputTokens: 1117, outputTokens: 46, cachedInputTokens: 1024 });
    expect(turn.message.native).toBeUndefined();
  });

  it("reads OpenRouter's reasoning and keeps reasoning_details to send back", () => {
    const turn = mapResponse(wire(OPENROUTER_REASONING), "deepseek/deepseek-r1", newId);
    expect(turn.message.reasoning).toBe("2 + 2 is 4.");
    expect(turn.message.native?.value).toEqual({
      reasoning: "2 + 2 is 4.",
      reasoning_details: [{ type: "reasoning.text", text: "2 + 2 is 4.", format: "unknown", index: 0 }],
    });
  });

  it("keeps malformed arguments raw, names calls that came without an id, and takes object arguments", () => {
    const body = {
      id: "chatcmpl-x",
      object: "chat.completion",
      created: 1,
      model: "gpt-3.5-turbo",
      choices: [
        {
          index: 0,
          finish_reason: "stop",
          message: {
            role: "assistant",
            content: null,
            tool_calls: [
              {
                id: "",
                type: "function",
                function: { name: "edit", arguments: '{"filePath": "src/dates.js", "old' },
              },
              { id: "call_obj", type: "function", function: { name: "bash", arguments: { command: "ls" } } },
            ],
          },
        },
      ],
    };
    const turn = mapResponse(wire(body), "local", () => "call_generated");
    expect(turn.message.toolCalls).toEqual([
      { id: "call_generated", name: "edit", arguments: '{"filePath": "src/dates.js", "old' },
      { id: "call_obj", name: "bash", arguments: { command: "ls" } },
    ]);
    expect(turn.finishReason).toBe("tool_calls");
    expect(turn.providerFinishReason).toBe("stop");
  });

  it("maps a cut-off turn to length and a filtered one to refusal with its refusal text", () => {
    const cut = {
      ...OLLAMA_ANSWER,
      choices: [{ index: 0, message: { role: "assistant", content: "The ans" }, finish_reason: "length" }],
    };
    expect(mapResponse(wire(cut), "m", newId).finishReason).toBe("length");
    const refused = {
      ...OLLAMA_ANSWER,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: null, refusal: "I can't help with that." },
          finish_reason: "content_filter",
        },
      ],
    };
    const turn = mapResponse(wire(refused), "m", newId);
    expect(turn).toMatchObject({ finishReason: "refusal", message: { text: "I can't help with that." } });
  });

  it("splits <think> blocks off the content of servers without a reasoning parser", () => {
    const thinking = {
      ...OLLAMA_ANSWER,
      choices: [
        {
          index: 0,
          message: { role: "assistant", content: "<think>\nr appears 3 times.\n</think>\n\n3" },
          finish_reason: "stop",
        },
      ],
    };
    const turn = mapResponse(wire(thinking), "m", newId);
    expect(turn.message).toMatchObject({ text: "3", reasoning: "r appears 3 times." });
    // Thinking split from the content is not a field the server sent, so nothing is echoed back.
    expect(turn.message.native).toBeUndefined();
  });

  it("falls back to the requested model, and reports a 200 error body in one line", () => {
    expect(mapResponse(wire({ ...OLLAMA_ANSWER, model: "" }), "llama3.2:3b", newId).model).toBe(
      "llama3.2:3b",
    );
    const error = { error: { message: "Provider returned error", code: 502 }, user_id: "user_1" };
    expect(() => mapResponse(wire(error), "m", newId)).toThrow(
      "the OpenAI-compatible server returned no choices: Provider returned error",
    );
  });
});

describe("splitThinking", () => {
  it("splits a leading block, or a closing tag whose opening tag was in the prompt", () => {
    expect(splitThinking("<think>a</think>b")).toEqual({ text: "b", reasoning: "a" });
    expect(splitThinking("a\n</think>\n\nb")).toEqual({ text: "b", reasoning: "a" });
  });

  it("leaves content alone without a closing tag or with a tag that is not leading", () => {
    expect(splitThinking("just 3")).toEqual({ text: "just 3" });
    expect(splitThinking("<think>never closed")).toEqual({ text: "<think>never closed" });
    expect(splitThinking("use <think> tags like <think>x</think>")).toEqual({
      text: "use <think> tags like <think>x</think>",
    });
  });
});
