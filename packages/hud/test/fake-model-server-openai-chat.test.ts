// The fake model server against the real OpenAI SDK's Chat Completions: text, chunks, tools, usage, faults.
import OpenAI from "openai";
import type { ChatCompletionMessageParam } from "openai/resources/chat/completions";
import { describe, expect, it } from "vitest";
import { openaiClient, useFakeModelServer } from "./support/fake-model.ts";

const start = useFakeModelServer();

const hi = {
  model: "gpt-test",
  messages: [
    { role: "system", content: "Be brief" },
    { role: "user", content: "Hi" },
  ] satisfies ChatCompletionMessageParam[],
};
const tools = [
  {
    type: "function" as const,
    function: { name: "get_weather", description: "Weather", parameters: { type: "object" } },
  },
];

describe("fake model server: OpenAI Chat Completions", () => {
  it("answers a non-streaming request and records it normalized", async () => {
    const s = await start([{ text: "Hello there" }]);
    const completion = await openaiClient(s).chat.completions.create({ ...hi, max_completion_tokens: 50 });
    expect(completion.choices[0]?.message).toMatchObject({ role: "assistant", content: "Hello there" });
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 3, total_tokens: 6 });
    expect(s.requests[0]).toMatchObject({
      api: "openai-chat",
      model: "gpt-test",
      system: "Be brief",
      maxTokens: 50,
    });
    expect(s.requests[0]?.messages).toEqual([{ role: "user", parts: [{ type: "text", text: "Hi" }] }]);
  });

  it("streams content chunks, then a usage chunk when asked", async () => {
    const s = await start([
      { text: "The answer is forty-two, of course.", usage: { input: 20, output: 9, cached: 5 } },
    ]);
    const stream = await openaiClient(s).chat.completions.create({
      ...hi,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let pieces = 0;
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      if (choice?.delta.content) {
        text += choice.delta.content;
        pieces++;
      }
      finish = choice?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe("The answer is forty-two, of course.");
    expect(pieces).toBeGreaterThan(1);
    expect(finish).toBe("stop");
    expect(usage).toMatchObject({
      prompt_tokens: 20,
      completion_tokens: 9,
      prompt_tokens_details: { cached_tokens: 5 },
    });
  });

  it("round-trips tool calls (tools from the request's top-level field) and normalizes tool messages", async () => {
    const s = await start([
      {
        toolCalls: [
          { name: "get_weather", arguments: { city: "Paris" } },
          { name: "get_weather", arguments: { city: "Rome" }, id: "call_given" },
        ],
      },
      { text: "done" },
    ]);
    const openai = openaiClient(s);
    const first = await openai.chat.completions.create({ ...hi, tools });
    const message = first.choices[0]!.message;
    expect(first.choices[0]?.finish_reason).toBe("tool_calls");
    expect(message.content).toBeNull();
    const calls = (message.tool_calls ?? []).filter((c) => c.type === "function");
    expect(calls.map((c) => [c.id, c.function.name, JSON.parse(c.function.arguments)])).toEqual([
      [calls[0]!.id, "get_weather", { city: "Paris" }],
      ["call_given", "get_weather", { city: "Rome" }],
    ]);
    expect(s.requests[0]?.tools).toEqual([
      { name: "get_weather", kind: "function", description: "Weather", parameters: { type: "object" } },
    ]);
    await openai.chat.completions.create({
      ...hi,
      tools,
      messages: [
        ...hi.messages,
        message as ChatCompletionMessageParam,
        { role: "tool", tool_call_id: calls[0]!.id, content: "sunny" },
        { role: "tool", tool_call_id: "call_given", content: [{ type: "text", text: "rainy" }] },
      ],
    });
    const messages = s.requests[1]!.messages;
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(messages[2]!.parts).toEqual([
      { type: "tool_result", id: calls[0]!.id, name: "get_weather", text: "sunny" },
      { type: "tool_result", id: "call_given", name: "get_weather", text: "rainy" },
    ]);
  });

  it("normalizes image parts in user messages", async () => {
    const s = await start([{ text: "a cat" }]);
    await openaiClient(s).chat.completions.create({
      model: "gpt-test",
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/AA==" } },
            { type: "image_url", image_url: { url: "https://example.com/cat.png" } },
          ],
        },
      ],
    });
    expect(s.requests[0]?.messages[0]?.parts).toEqual([
      { type: "text", text: "What is this?" },
      { type: "image", mediaType: "image/jpeg", data: "/9j/AA==" },
      { type: "image", mediaType: "", data: "", url: "https://example.com/cat.png" },
    ]);
  });

  it("streams tool calls in pieces that the SDK's stream helper assembles", async () => {
    const args = { city: "Paris", note: "a long enough argument to need several pieces" };
    const s = await start([{ toolCalls: [{ name: "get_weather", arguments: args }] }]);
    const final = await openaiClient(s)
      .chat.completions.stream({ ...hi, tools })
      .finalChatCompletion();
    expect(final.choices[0]?.finish_reason).toBe("tool_calls");
    const call = final.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === "function" && JSON.parse(call.function.arguments)).toEqual(args);
  });

  it("reports a length finish", async () => {
    const s = await start([{ text: "cut", finish: "length" }]);
    expect((await openaiClient(s).chat.completions.create(hi)).choices[0]?.finish_reason).toBe("length");
  });

  it("delivers malformed arguments as the raw string", async () => {
    const raw = '{"city": "Par';
    const s = await start([
      { toolCalls: [{ name: "get_weather", arguments: raw }] },
      { toolCalls: [{ name: "get_weather", arguments: raw }] },
    ]);
    const completion = await openaiClient(s).chat.completions.create({ ...hi, tools });
    const call = completion.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === "function" && call.function.arguments).toBe(raw);
    const stream = await openaiClient(s).chat.completions.create({ ...hi, tools, stream: true });
    let streamed = "";
    for await (const chunk of stream)
      streamed += chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments ?? "";
    expect(streamed).toBe(raw);
  });

  it("turns a 429 into RateLimitError with Retry-After, and the SDK's retry then succeeds", async () => {
    const s = await start([
      { fault: 429, retryAfter: 7 },
      { fault: 429, retryAfter: 0.01 },
      { text: "after retry" },
    ]);
    const error = await openaiClient(s)
      .chat.completions.create(hi)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers.get("retry-after")).toBe("7");
    const ok = await openaiClient(s, { maxRetries: 1 }).chat.completions.create(hi);
    expect(ok.choices[0]?.message.content).toBe("after retry");
  });

  it("turns a 500 and a 503 into InternalServerError", async () => {
    const s = await start([{ fault: 500 }, { fault: 503 }]);
    await expect(openaiClient(s).chat.completions.create(hi)).rejects.toBeInstanceOf(
      OpenAI.InternalServerError,
    );
    await expect(openaiClient(s).chat.completions.create(hi)).rejects.toMatchObject({ status: 503 });
  });

  it("hangs until the SDK's timeout gives up", async () => {
    const s = await start([{ hang: true }]);
    await expect(openaiClient(s, { timeout: 300 }).chat.completions.create(hi)).rejects.toBeInstanceOf(
      OpenAI.APIConnectionTimeoutError,
    );
  });

  it("says clearly when the script is exhausted", async () => {
    const s = await start([]);
    await expect(openaiClient(s).chat.completions.create(hi)).rejects.toThrow(/script exhausted/);
  });
});
