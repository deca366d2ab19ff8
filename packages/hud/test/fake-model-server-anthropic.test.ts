// The fake model server against the real Anthropic SDK: text, streaming, tools, usage, faults, hangs.
import Anthropic from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import type { FakeModelServer } from "../src/testing/index.ts";
import { useFakeModelServer } from "./support/fake-model.ts";

const PNG = "iVBORw0KGgo=";
const start = useFakeModelServer();

function client(s: FakeModelServer, options: { maxRetries?: number; timeout?: number } = {}) {
  return new Anthropic({ apiKey: "test-key", baseURL: s.anthropicBaseURL, maxRetries: 0, ...options });
}

const hi = { model: "claude-test", max_tokens: 100, messages: [{ role: "user" as const, content: "Hi" }] };

describe("fake model server: Anthropic Messages", () => {
  it("answers a non-streaming request and records it normalized", async () => {
    const s = await start([{ text: "Hello there" }]);
    const message = await client(s).messages.create({ ...hi, system: [{ type: "text", text: "Be brief" }] });
    expect(message.content).toEqual([{ type: "text", text: "Hello there", citations: null }]);
    expect(message.stop_reason).toBe("end_turn");
    expect(message.id).toMatch(/^msg_/);
    const [request] = s.requests;
    expect(request).toMatchObject({
      api: "anthropic",
      model: "claude-test",
      system: "Be brief",
      stream: false,
    });
    expect(request?.maxTokens).toBe(100);
    expect(request?.messages).toEqual([{ role: "user", parts: [{ type: "text", text: "Hi" }] }]);
    expect(request?.apiKey?.value).toBe("test-key");
    expect(request?.headers["anthropic-version"]).toBeDefined();
    // Default usage: ceil(chars / 4) of prompt ("Be brief" + "Hi") and reply.
    expect(message.usage).toMatchObject({ input_tokens: 3, output_tokens: 3, cache_read_input_tokens: 0 });
  });

  it("streams thinking and text as the SDK's stream helper expects", async () => {
    const s = await start([
      { reasoning: "Let me think about it.", text: "The answer is forty-two, of course." },
    ]);
    const stream = client(s).messages.stream(hi);
    const deltas: string[] = [];
    stream.on("text", (delta) => deltas.push(delta));
    const final = await stream.finalMessage();
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join("")).toBe("The answer is forty-two, of course.");
    expect(final.content.map((b) => b.type)).toEqual(["thinking", "text"]);
    expect(final.content[0]).toMatchObject({ type: "thinking", thinking: "Let me think about it." });
    expect(final.stop_reason).toBe("end_turn");
    expect(s.requests[0]?.stream).toBe(true);
  });

  it("sends the raw event sequence (message_start … message_stop)", async () => {
    const s = await start([{ text: "hey" }]);
    const events = await client(s).messages.create({ ...hi, stream: true });
    const types: string[] = [];
    for await (const event of events) types.push(event.type);
    expect(types).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
  });

  it("round-trips tool calls, native tools included, and normalizes the tool results", async () => {
    const s = await start([
      {
        toolCalls: [
          { name: "bash", arguments: { command: "ls" } },
          { name: "get_weather", arguments: { city: "Paris" } },
        ],
      },
      { text: "done" },
    ]);
    const anthropic = client(s);
    const tools: Anthropic.ToolUnion[] = [
      { name: "get_weather", description: "Weather", input_schema: { type: "object", properties: {} } },
      { type: "bash_20250124", name: "bash" },
      { type: "text_editor_20250728", name: "str_replace_based_edit_tool" },
    ];
    const first = await anthropic.messages.create({ ...hi, tools });
    expect(first.stop_reason).toBe("tool_use");
    const uses = first.content.filter((b) => b.type === "tool_use");
    expect(uses.map((b) => [b.name, b.input])).toEqual([
      ["bash", { command: "ls" }],
      ["get_weather", { city: "Paris" }],
    ]);
    expect(new Set(uses.map((b) => b.id)).size).toBe(2);
    expect(s.requests[0]?.tools).toEqual([
      {
        name: "get_weather",
        kind: "function",
        description: "Weather",
        parameters: { type: "object", properties: {} },
      },
      { name: "bash", kind: "bash_20250124" },
      { name: "str_replace_based_edit_tool", kind: "text_editor_20250728" },
    ]);

    const [bash, weather] = uses;
    const second = await anthropic.messages.create({
      ...hi,
      tools,
      messages: [
        ...hi.messages,
        { role: "assistant", content: first.content },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: bash!.id, content: "a.txt\nb.txt" },
            {
              type: "tool_result",
              tool_use_id: weather!.id,
              is_error: true,
              content: [
                { type: "text", text: "radar offline" },
                { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
              ],
            },
          ],
        },
      ],
    });
    expect(second.content).toEqual([{ type: "text", text: "done", citations: null }]);
    const messages = s.requests[1]!.messages;
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(messages[1]!.parts).toEqual([
      { type: "tool_call", id: bash!.id, name: "bash", arguments: { command: "ls" } },
      { type: "tool_call", id: weather!.id, name: "get_weather", arguments: { city: "Paris" } },
    ]);
    expect(messages[2]!.parts).toEqual([
      { type: "tool_result", id: bash!.id, name: "bash", text: "a.txt\nb.txt" },
      {
        type: "tool_result",
        id: weather!.id,
        name: "get_weather",
        text: "radar offline",
        isError: true,
        images: [{ mediaType: "image/png", data: PNG }],
      },
    ]);
  });

  it("streams tool input as input_json_delta that the SDK assembles", async () => {
    const s = await start([
      { toolCalls: [{ name: "bash", arguments: { command: "echo a long enough command line" } }] },
    ]);
    const final = await client(s).messages.stream(hi).finalMessage();
    expect(final.stop_reason).toBe("tool_use");
    expect(final.content[0]).toMatchObject({
      type: "tool_use",
      name: "bash",
      input: { command: "echo a long enough command line" },
    });
  });

  it("passes usage through, cached tokens as cache reads", async () => {
    const s = await start([
      { text: "x", usage: { input: 100, output: 7, cached: 40 } },
      { text: "y", usage: { input: 50, output: 9, cached: 10 } },
    ]);
    const message = await client(s).messages.create(hi);
    expect(message.usage).toMatchObject({ input_tokens: 60, cache_read_input_tokens: 40, output_tokens: 7 });
    const streamed = await client(s).messages.stream(hi).finalMessage();
    expect(streamed.usage).toMatchObject({ input_tokens: 40, cache_read_input_tokens: 10, output_tokens: 9 });
  });

  it("reports a length finish as max_tokens", async () => {
    const s = await start([{ text: "cut", finish: "length" }]);
    expect((await client(s).messages.create(hi)).stop_reason).toBe("max_tokens");
  });

  it("delivers malformed tool arguments as the raw string", async () => {
    const raw = '{"command": "ls';
    const s = await start([
      { toolCalls: [{ name: "bash", arguments: raw }] },
      { toolCalls: [{ name: "bash", arguments: raw }] },
    ]);
    const message = await client(s).messages.create(hi);
    expect(message.content[0]).toMatchObject({ type: "tool_use", name: "bash", input: raw });
    const events = await client(s).messages.create({ ...hi, stream: true });
    let json = "";
    for await (const event of events) {
      if (event.type === "content_block_delta" && event.delta.type === "input_json_delta")
        json += event.delta.partial_json;
    }
    expect(json).toBe(raw);
  });

  it("turns a 429 into RateLimitError with Retry-After, and the SDK's retry then succeeds", async () => {
    const s = await start([
      { fault: 429, retryAfter: 7, message: "slow down" },
      { fault: 429, retryAfter: 0.01 },
      { text: "after retry" },
    ]);
    const error = await client(s)
      .messages.create(hi)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const rate = error as InstanceType<typeof Anthropic.RateLimitError>;
    expect(rate.status).toBe(429);
    expect(rate.headers.get("retry-after")).toBe("7");
    expect(rate.type).toBe("rate_limit_error");
    expect(rate.message).toContain("slow down");
    const message = await client(s, { maxRetries: 1 }).messages.create(hi);
    expect(message.content).toEqual([{ type: "text", text: "after retry", citations: null }]);
    expect(s.requests).toHaveLength(3);
  });

  it("turns 500 and 529 into the SDK's server errors", async () => {
    const s = await start([{ fault: 500 }, { fault: 529, message: "busy" }]);
    const internal = await client(s)
      .messages.create(hi)
      .catch((e: unknown) => e);
    expect(internal).toBeInstanceOf(Anthropic.InternalServerError);
    expect(internal).toMatchObject({ status: 500 });
    const overloaded = await client(s)
      .messages.create(hi)
      .catch((e: unknown) => e);
    expect(overloaded).toMatchObject({ status: 529, type: "overloaded_error" });
  });

  it("hangs until the SDK's timeout gives up, and keeps serving", async () => {
    const s = await start([{ hang: true }, { text: "still here" }]);
    await expect(client(s, { timeout: 300 }).messages.create(hi)).rejects.toBeInstanceOf(
      Anthropic.APIConnectionTimeoutError,
    );
    expect((await client(s).messages.create(hi)).content[0]).toMatchObject({ text: "still here" });
  });

  it("says clearly when the script is exhausted, and the SDK does not retry it", async () => {
    const s = await start([{ text: "only one" }]);
    await client(s).messages.create(hi);
    const error = await client(s, { maxRetries: 2 })
      .messages.create(hi)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.InternalServerError);
    expect((error as Error).message).toMatch(/script exhausted: all 1 scripted replies were used/);
    expect(s.requests).toHaveLength(2);
  });
});
