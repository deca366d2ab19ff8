// The fake model server against the real OpenAI SDK's Responses API: text, streaming, tools, shell, chaining.
import OpenAI from "openai";
import type { ResponseInputItem } from "openai/resources/responses/responses";
import { describe, expect, it } from "vitest";
import { openaiClient, useFakeModelServer } from "./support/fake-model.ts";

const PNG = "iVBORw0KGgo=";
const start = useFakeModelServer();

const weather = {
  type: "function" as const,
  name: "get_weather",
  parameters: { type: "object" },
  strict: false,
};

describe("fake model server: OpenAI Responses", () => {
  it("answers a string input with instructions, and records it normalized", async () => {
    const s = await start([{ text: "Hello there" }]);
    const response = await openaiClient(s).responses.create({
      model: "gpt-test",
      instructions: "Be brief",
      input: "Hi",
    });
    expect(response.output_text).toBe("Hello there");
    expect(response.status).toBe("completed");
    expect(response.output[0]).toMatchObject({ type: "message", role: "assistant", status: "completed" });
    const [request] = s.requests;
    expect(request).toMatchObject({
      api: "openai-responses",
      model: "gpt-test",
      system: "Be brief",
      stream: false,
    });
    expect(request?.messages).toEqual([{ role: "user", parts: [{ type: "text", text: "Hi" }] }]);
    expect(request?.apiKey).toEqual({ via: "authorization", value: "test-key" });
    expect(response.usage).toMatchObject({ input_tokens: 3, output_tokens: 3, total_tokens: 6 });
  });

  it("streams the full event sequence that the SDK's stream helper accepts", async () => {
    const s = await start([
      { reasoning: "thinking it through", text: "The answer is forty-two, of course." },
    ]);
    const stream = openaiClient(s).responses.stream({ model: "gpt-test", input: "Hi" });
    const types: string[] = [];
    const deltas: string[] = [];
    stream.on("event", (event) => types.push(event.type));
    stream.on("response.output_text.delta", (event) => deltas.push(event.delta));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe("The answer is forty-two, of course.");
    expect(deltas.length).toBeGreaterThan(1);
    expect(final.output.map((item) => item.type)).toEqual(["reasoning", "message"]);
    expect(final.output[0]).toMatchObject({
      summary: [{ type: "summary_text", text: "thinking it through" }],
    });
    for (const type of [
      "response.created",
      "response.in_progress",
      "response.output_item.added",
      "response.content_part.added",
      "response.output_text.delta",
      "response.output_text.done",
      "response.output_item.done",
      "response.completed",
    ]) {
      expect(types).toContain(type);
    }
    expect(types[0]).toBe("response.created");
    expect(types.at(-1)).toBe("response.completed");
  });

  it("round-trips function calls and normalizes text and image outputs", async () => {
    const s = await start([
      { toolCalls: [{ name: "get_weather", arguments: { city: "Paris" } }] },
      { text: "done" },
    ]);
    const openai = openaiClient(s);
    const first = await openai.responses.create({ model: "gpt-test", input: "Weather?", tools: [weather] });
    const call = first.output.find((item) => item.type === "function_call");
    expect(call).toMatchObject({ type: "function_call", name: "get_weather", arguments: '{"city":"Paris"}' });
    expect(s.requests[0]?.tools).toEqual([
      { name: "get_weather", kind: "function", parameters: { type: "object" } },
    ]);
    const callId = call!.type === "function_call" ? call!.call_id : "";
    const input: ResponseInputItem[] = [
      { role: "user", content: "Weather?" },
      ...(first.output as ResponseInputItem[]),
      {
        type: "function_call_output",
        call_id: callId,
        output: [
          { type: "input_text", text: "sunny" },
          { type: "input_image", image_url: `data:image/png;base64,${PNG}`, detail: "auto" },
        ],
      },
    ];
    expect((await openai.responses.create({ model: "gpt-test", input, tools: [weather] })).output_text).toBe(
      "done",
    );
    const messages = s.requests[1]!.messages;
    expect(messages.map((m) => m.role)).toEqual(["user", "assistant", "user"]);
    expect(messages[1]!.parts).toEqual([
      { type: "tool_call", id: callId, name: "get_weather", arguments: { city: "Paris" } },
    ]);
    expect(messages[2]!.parts).toEqual([
      {
        type: "tool_result",
        id: callId,
        name: "get_weather",
        text: "sunny",
        images: [{ mediaType: "image/png", data: PNG }],
      },
    ]);
  });

  it("streams function call arguments", async () => {
    const s = await start([{ toolCalls: [{ name: "get_weather", arguments: { city: "Paris", days: 3 } }] }]);
    const stream = openaiClient(s).responses.stream({
      model: "gpt-test",
      input: "Weather?",
      tools: [weather],
    });
    const deltas: string[] = [];
    stream.on("response.function_call_arguments.delta", (event) => deltas.push(event.delta));
    const final = await stream.finalResponse();
    expect(deltas.join("")).toBe('{"city":"Paris","days":3}');
    expect(final.output[0]).toMatchObject({ type: "function_call", arguments: '{"city":"Paris","days":3}' });
  });

  it("speaks the native shell tool: shell_call out, shell_call_output back as a tool result", async () => {
    const s = await start([
      { toolCalls: [{ name: "shell", arguments: { commands: ["ls", "cat a.txt"] } }] },
      { text: "ok" },
      { toolCalls: [{ name: "shell", arguments: { commands: ["pwd"] } }] },
    ]);
    const openai = openaiClient(s);
    const first = await openai.responses.create({
      model: "gpt-test",
      input: "List",
      tools: [{ type: "shell" }],
    });
    const call = first.output[0]!;
    expect(call).toMatchObject({ type: "shell_call", action: { commands: ["ls", "cat a.txt"] } });
    expect(s.requests[0]?.tools).toEqual([{ name: "shell", kind: "shell" }]);
    const callId = call.type === "shell_call" ? call.call_id : "";
    await openai.responses.create({
      model: "gpt-test",
      tools: [{ type: "shell" }],
      previous_response_id: first.id,
      input: [
        {
          type: "shell_call_output",
          call_id: callId,
          output: [
            { stdout: "a.txt\n", stderr: "", outcome: { type: "exit", exit_code: 0 } },
            { stdout: "", stderr: "no such file", outcome: { type: "exit", exit_code: 1 } },
          ],
        },
      ],
    });
    const messages = s.requests[1]!.messages;
    expect(messages[1]!.parts[0]).toMatchObject({ type: "tool_call", id: callId, name: "shell" });
    expect(messages[2]!.parts).toEqual([
      { type: "tool_result", id: callId, name: "shell", text: "a.txt\n\nno such file", isError: true },
    ]);
    const streamed = await openai.responses
      .stream({ model: "gpt-test", input: "pwd", tools: [{ type: "shell" }] })
      .finalResponse();
    expect(streamed.output[0]).toMatchObject({ type: "shell_call", action: { commands: ["pwd"] } });
  });

  it("prepends the stored conversation for previous_response_id, and rejects an unknown one", async () => {
    const s = await start([{ text: "first answer" }, { text: "second answer" }]);
    const openai = openaiClient(s);
    const first = await openai.responses.create({ model: "gpt-test", instructions: "old", input: "one" });
    await openai.responses.create({ model: "gpt-test", input: "two", previous_response_id: first.id });
    expect(s.requests[1]!.system).toBeUndefined();
    expect(s.requests[1]!.messages).toEqual([
      { role: "user", parts: [{ type: "text", text: "one" }] },
      { role: "assistant", parts: [{ type: "text", text: "first answer" }] },
      { role: "user", parts: [{ type: "text", text: "two" }] },
    ]);
    const error = await openai.responses
      .create({ model: "gpt-test", input: "x", previous_response_id: "resp_missing" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as Error).message).toContain("resp_missing");
  });

  it("passes usage through and reports a length finish as incomplete", async () => {
    const s = await start([
      { text: "x", reasoning: "hmm", usage: { input: 100, output: 7, cached: 40 } },
      { text: "cut", finish: "length" },
      { text: "cut", finish: "length" },
    ]);
    const response = await openaiClient(s).responses.create({ model: "gpt-test", input: "Hi" });
    expect(response.usage).toMatchObject({
      input_tokens: 100,
      input_tokens_details: { cached_tokens: 40 },
      output_tokens: 7,
      output_tokens_details: { reasoning_tokens: 1 },
      total_tokens: 107,
    });
    const cut = await openaiClient(s).responses.create({
      model: "gpt-test",
      input: "Hi",
      max_output_tokens: 16,
    });
    expect(cut.status).toBe("incomplete");
    expect(cut.incomplete_details).toEqual({ reason: "max_output_tokens" });
    expect(s.requests[1]?.maxTokens).toBe(16);
    const stream = openaiClient(s).responses.stream({ model: "gpt-test", input: "Hi" });
    const types: string[] = [];
    stream.on("event", (event) => types.push(event.type));
    await stream.done();
    expect(types.at(-1)).toBe("response.incomplete");
  });

  it("delivers malformed arguments as the raw string", async () => {
    const raw = '{"city": "Par';
    const s = await start([
      { toolCalls: [{ name: "get_weather", arguments: raw }] },
      { toolCalls: [{ name: "get_weather", arguments: raw }] },
    ]);
    const response = await openaiClient(s).responses.create({
      model: "gpt-test",
      input: "x",
      tools: [weather],
    });
    expect(response.output[0]).toMatchObject({ type: "function_call", arguments: raw });
    const events = await openaiClient(s).responses.create({
      model: "gpt-test",
      input: "x",
      tools: [weather],
      stream: true,
    });
    let done = "";
    for await (const event of events)
      if (event.type === "response.function_call_arguments.done") done = event.arguments;
    expect(done).toBe(raw);
  });

  it("turns a 429 into RateLimitError with Retry-After, and the SDK's retry then succeeds", async () => {
    const s = await start([
      { fault: 429, retryAfter: 7 },
      { fault: 429, retryAfter: 0.01 },
      { text: "after retry" },
    ]);
    const error = await openaiClient(s)
      .responses.create({ model: "gpt-test", input: "x" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers.get("retry-after")).toBe("7");
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).code).toBe("rate_limit_exceeded");
    const ok = await openaiClient(s, { maxRetries: 1 }).responses.create({ model: "gpt-test", input: "x" });
    expect(ok.output_text).toBe("after retry");
  });

  it("turns a 500 into InternalServerError", async () => {
    const s = await start([{ fault: 500, message: "boom" }]);
    const error = await openaiClient(s)
      .responses.create({ model: "gpt-test", input: "x" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as Error).message).toContain("boom");
  });

  it("hangs until the SDK's timeout gives up", async () => {
    const s = await start([{ hang: true }]);
    await expect(
      openaiClient(s, { timeout: 300 }).responses.create({ model: "gpt-test", input: "x" }),
    ).rejects.toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
  });

  it("says clearly when the script is exhausted", async () => {
    const s = await start([]);
    const error = await openaiClient(s, { maxRetries: 2 })
      .responses.create({ model: "gpt-test", input: "x" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as Error).message).toMatch(/script exhausted/);
    expect(s.requests).toHaveLength(1);
  });
});
