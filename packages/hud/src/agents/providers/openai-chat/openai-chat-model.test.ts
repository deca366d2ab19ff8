// OpenAIChatModel wiring: the body it builds, and the real SDK's calls against the fake model server.
import { afterEach, describe, expect, it } from "vitest";
import { type FakeModelServer, type FakeReply, startFakeModelServer } from "../../../testing/index.ts";
import type { ConversationMessage } from "../../model/conversation.ts";
import type { ModelRequest } from "../../model/model-client.ts";
import { OpenAIChatCallError } from "./map-error.ts";
import { OPENAI_CHAT_DEFAULTS, OpenAIChatModel } from "./openai-chat-model.ts";

const ask = (text: string): ConversationMessage => ({ role: "user", content: [{ type: "text", text }] });
const request = (messages: ConversationMessage[], extra: Partial<ModelRequest> = {}): ModelRequest => ({
  messages,
  tools: [],
  ...extra,
});

let server: FakeModelServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(script: FakeReply[]): Promise<FakeModelServer> {
  server = await startFakeModelServer({ script });
  return server;
}

describe("OpenAIChatModel.body", () => {
  const bash = { name: "bash", description: "Run a command.", parameters: { type: "object" } };

  it("sends the adapter's fields, and the user's extra fields over them except the reserved ones", () => {
    const model = new OpenAIChatModel({
      model: "qwen3-8b",
      baseURL: "http://127.0.0.1:1/v1",
      maxTokens: 512,
      temperature: 0.2,
      completionKwargs: { temperature: 0.7, top_k: 20, model: "other", stream: true, messages: [] },
    });
    expect(model.body(request([ask("hi")], { system: "Be brief.", tools: [bash] }))).toEqual({
      model: "qwen3-8b",
      messages: [
        { role: "system", content: "Be brief." },
        { role: "user", content: "hi" },
      ],
      tools: [
        {
          type: "function",
          function: {
            name: "bash",
            description: "Run a command.",
            parameters: { type: "object", properties: {} },
          },
        },
      ],
      max_tokens: 512,
      temperature: 0.7,
      top_k: 20,
      stream: false,
    });
  });

  it("prefers the request's token cap, and leaves out what is unset and an empty tool list", () => {
    const model = new OpenAIChatModel({ model: "m", baseURL: "http://127.0.0.1:1/v1", maxTokens: 512 });
    expect(model.body(request([ask("hi")], { maxTokens: 64 }))).toEqual({
      model: "m",
      messages: [{ role: "user", content: "hi" }],
      max_tokens: 64,
      stream: false,
    });
  });

  it("puts the cap in max_completion_tokens when the user's fields use it, and spreads extra_body", () => {
    const model = new OpenAIChatModel({
      model: "gpt-5.4-mini",
      baseURL: "http://127.0.0.1:1/v1",
      maxTokens: 512,
      completionKwargs: { max_completion_tokens: 2048, extra_body: { checkpoint: "step-300", tools: [] } },
    });
    expect(model.body(request([ask("hi")]))).toEqual({
      model: "gpt-5.4-mini",
      messages: [{ role: "user", content: "hi" }],
      max_completion_tokens: 2048,
      checkpoint: "step-300",
      stream: false,
    });
    expect(model.body(request([ask("hi")], { maxTokens: 64 }))).toMatchObject({ max_completion_tokens: 64 });
    expect(model.body(request([ask("hi")], { maxTokens: 64 }))).not.toHaveProperty("max_tokens");
  });

  it("defaults to the reference's model and reports the Python SDK's provider name", () => {
    expect(OPENAI_CHAT_DEFAULTS.model).toBe("gpt-5.4-mini");
    expect(new OpenAIChatModel({ model: "m", baseURL: "http://x/v1" }).provider).toBe("openai_compatible");
  });
});

describe("OpenAIChatModel.complete against the fake server", () => {
  it("sends a placeholder key (never OPENAI_API_KEY), the configured and per-call headers", async () => {
    const fake = await serve([{ text: "3" }, { text: "4" }]);
    const saved = process.env.OPENAI_API_KEY;
    process.env.OPENAI_API_KEY = "sk-real-key-for-another-server";
    try {
      const local = new OpenAIChatModel({
        model: "m",
        baseURL: fake.openaiBaseURL,
        headers: { "x-team": "evals" },
      });
      const turn = await local.complete(request([ask("count")], { headers: { "trace-id": "t-1" } }));
      expect(turn.message.text).toBe("3");
      const keyed = new OpenAIChatModel({ model: "m", baseURL: fake.openaiBaseURL, apiKey: "sk-local" });
      await keyed.complete(request([ask("count")]));
    } finally {
      if (saved === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved;
    }
    const [first, second] = fake.requests;
    expect(first?.apiKey).toEqual({ via: "authorization", value: "EMPTY" });
    expect(first?.headers).toMatchObject({ "x-team": "evals", "trace-id": "t-1" });
    expect(second?.apiKey).toEqual({ via: "authorization", value: "sk-local" });
  });

  it("sends the server's reasoning field back with the assistant turn it came with", async () => {
    const fake = await serve([
      { reasoning: "ls first", toolCalls: [{ name: "bash", arguments: { command: "ls" } }] },
      { text: "done" },
    ]);
    const model = new OpenAIChatModel({ model: "m", baseURL: fake.openaiBaseURL });
    const first = await model.complete(request([ask("go")]));
    expect(first.message.reasoning).toBe("ls first");
    const [call] = first.message.toolCalls;
    await model.complete(
      request([
        ask("go"),
        first.message,
        {
          role: "tool",
          results: [{ call: call!, output: { content: [{ type: "text", text: "a.txt" }], isError: false } }],
        },
      ]),
    );
    const body = fake.requests[1]?.body as { messages: Record<string, unknown>[] };
    expect(body.messages[1]).toMatchObject({ role: "assistant", reasoning_content: "ls first" });
    expect(body.messages[2]).toEqual({ role: "tool", tool_call_id: call!.id, content: "a.txt" });
  });

  it("retries under the shared policy, one request per attempt (the SDK's own retries are off)", async () => {
    const fake = await serve([{ fault: 500, message: "CUDA out of memory" }, { text: "recovered" }]);
    const model = new OpenAIChatModel({ model: "m", baseURL: fake.openaiBaseURL, retry: { baseDelayMs: 1 } });
    expect((await model.complete(request([ask("hi")]))).message.text).toBe("recovered");
    expect(fake.requests).toHaveLength(2);
  });

  it("fails with one line naming the server, the status and the attempts", async () => {
    const fake = await serve([
      { fault: 500, message: "CUDA out of memory" },
      { fault: 503 },
      { text: "late" },
    ]);
    const model = new OpenAIChatModel({
      model: "m",
      baseURL: fake.openaiBaseURL,
      retry: { maxAttempts: 2, baseDelayMs: 1 },
    });
    const failure = model.complete(request([ask("hi")]));
    await expect(failure).rejects.toBeInstanceOf(OpenAIChatCallError);
    await expect(failure).rejects.toThrow(
      `the OpenAI-compatible server at ${fake.openaiBaseURL} answered 503: Simulated error 503. (the server failed; try again later) (after 2 attempts)`,
    );
    expect(fake.requests).toHaveLength(2);
  });

  it("gives up on a server that hangs after timeoutSeconds, and stops at once when aborted", async () => {
    const fake = await serve([{ hang: true }, { hang: true }]);
    const timed = new OpenAIChatModel({
      model: "m",
      baseURL: fake.openaiBaseURL,
      timeoutSeconds: 0.2,
      retry: { maxAttempts: 1 },
    });
    await expect(timed.complete(request([ask("hi")]))).rejects.toThrow(
      `the OpenAI-compatible server at ${fake.openaiBaseURL} did not answer in time (raise the call timeout)`,
    );
    const model = new OpenAIChatModel({ model: "m", baseURL: fake.openaiBaseURL });
    const controller = new AbortController();
    const pending = model.complete(request([ask("hi")], { signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.not.toBeInstanceOf(OpenAIChatCallError);
    expect(controller.signal.aborted).toBe(true);
  });

  it("says plainly that nothing listens at the base URL", async () => {
    const fake = await serve([]);
    const baseURL = fake.openaiBaseURL;
    await fake.close();
    const model = new OpenAIChatModel({ model: "m", baseURL, retry: { maxAttempts: 1 } });
    await expect(model.complete(request([ask("hi")]))).rejects.toThrow(
      new RegExp(
        `^could not reach the OpenAI-compatible server at ${baseURL}.*ECONNREFUSED.*\\(is it running\\?\\) \\(after 1 attempt\\)$`,
      ),
    );
  });
});
