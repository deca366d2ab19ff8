// GeminiModel through the real @google/genai SDK against a loopback server replaying recorded responses:
// the request it sends, thought signatures going back, and its errors (one attempt, one line, timeouts).
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import type { ConversationMessage } from "../../model/conversation.ts";
import type { ModelRequest } from "../../model/model-client.ts";
import { GEMINI_DEFAULTS, GeminiModel } from "./gemini-model.ts";
import { GeminiApiError, GeminiTimeoutError } from "./map-error.ts";

interface Seen {
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown> & { contents: { role: string; parts: Record<string, unknown>[] }[] };
}

type Reply = { status: number; body: unknown } | "hang";

/** A server answering each request with the next reply, recording what it was sent. */
async function replayServer(replies: Reply[]) {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => {
      raw += chunk.toString("utf8");
    });
    req.on("end", () => {
      seen.push({ url: req.url ?? "", headers: req.headers, body: JSON.parse(raw) });
      const reply = replies.shift() ?? {
        status: 500,
        body: { error: { code: 500, message: "no reply left" } },
      };
      if (reply === "hang") return;
      res.writeHead(reply.status, { "content-type": "application/json" });
      res.end(JSON.stringify(reply.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, close };
}

const SIGNATURE = "CiQB0e2Kb6vTq0Qm3P2kYVZ0x1sVq7dWm9bS2cK8lZfXy0ygmmEKZgHR7Ypv";

/** Recorded from gemini-3-pro-preview: a thought summary, then a signed call. */
const SIGNED_CALL = {
  candidates: [
    {
      content: {
        parts: [
          { text: "**Reading the file**\n\nI'll print calc.py.", thought: true },
          {
            functionCall: { name: "run_shell_command", args: { command: "cat calc.py" } },
            thoughtSignature: SIGNATURE,
          },
        ],
        role: "model",
      },
      finishReason: "STOP",
      index: 0,
    },
  ],
  usageMetadata: {
    promptTokenCount: 1468,
    candidatesTokenCount: 21,
    totalTokenCount: 1630,
    thoughtsTokenCount: 141,
  },
  modelVersion: "gemini-3-pro-preview",
  responseId: "mH8cafLUIMqOz7IPj4Gv-Ak",
};

const ANSWER = {
  candidates: [
    {
      content: { parts: [{ text: "Fixed: add() now returns a + b." }], role: "model" },
      finishReason: "STOP",
    },
  ],
  usageMetadata: { promptTokenCount: 1702, candidatesTokenCount: 12, totalTokenCount: 1714 },
  modelVersion: "gemini-3-pro-preview",
};

const SHELL = {
  name: "run_shell_command",
  description: "Run a bash command in the workspace.",
  parameters: { type: "object", properties: { command: { type: "string" } }, required: ["command"] },
};

const PROMPT: ConversationMessage = {
  role: "user",
  content: [{ type: "text", text: "Fix the bug in calc.py" }],
};

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function setUp(replies: Reply[], options: Partial<ConstructorParameters<typeof GeminiModel>[0]> = {}) {
  const server = await replayServer(replies);
  cleanup = server.close;
  const model = new GeminiModel({
    model: GEMINI_DEFAULTS.model,
    apiKey: "test-key",
    baseURL: server.url,
    ...options,
  });
  return { server, model };
}

describe("GeminiModel", () => {
  it("sends contents, system, tools and the GeminiConfig defaults with the key and headers", async () => {
    const { server, model } = await setUp([{ status: 200, body: SIGNED_CALL }], {
      headers: { "x-team": "evals" },
    });
    const request: ModelRequest = {
      system: "You are careful.",
      messages: [PROMPT],
      tools: [SHELL],
      headers: { "Trace-Id": "trace-123" },
    };
    const turn = await model.complete(request);
    expect(turn.message.toolCalls).toEqual([
      { id: "call_1", name: "run_shell_command", arguments: { command: "cat calc.py" } },
    ]);
    const [sent] = server.seen;
    expect(sent!.url).toMatch(/\/models\/gemini-3-pro-preview:generateContent$/);
    expect(sent!.headers["x-goog-api-key"]).toBe("test-key");
    expect(sent!.headers["x-team"]).toBe("evals");
    expect(sent!.headers["trace-id"]).toBe("trace-123");
    expect(sent!.body.contents).toEqual([{ role: "user", parts: [{ text: "Fix the bug in calc.py" }] }]);
    expect(sent!.body.systemInstruction).toMatchObject({ parts: [{ text: "You are careful." }] });
    expect(sent!.body.tools).toEqual([
      {
        functionDeclarations: [
          { name: SHELL.name, description: SHELL.description, parametersJsonSchema: SHELL.parameters },
        ],
      },
    ]);
    expect(sent!.body.generationConfig).toEqual({
      temperature: 1,
      topP: 0.95,
      topK: 40,
      maxOutputTokens: 8192,
      thinkingConfig: { includeThoughts: true },
    });
  });

  it("lets the request's token cap and the options' thinking level through", async () => {
    const { server, model } = await setUp([{ status: 200, body: ANSWER }], {
      thinkingLevel: "low",
      temperature: 0.2,
    });
    await model.complete({ messages: [PROMPT], tools: [], maxTokens: 512 });
    const body = server.seen[0]!.body;
    expect(body.generationConfig).toMatchObject({
      temperature: 0.2,
      maxOutputTokens: 512,
      thinkingConfig: { includeThoughts: true, thinkingLevel: "LOW" },
    });
    expect(body.tools).toBeUndefined();
    expect(body.systemInstruction).toBeUndefined();
  });

  it("sends the signed parts back verbatim with the function response", async () => {
    const { server, model } = await setUp([
      { status: 200, body: SIGNED_CALL },
      { status: 200, body: ANSWER },
    ]);
    const first = await model.complete({ messages: [PROMPT], tools: [SHELL] });
    const call = first.message.toolCalls[0]!;
    const output = { content: [{ type: "text" as const, text: "$ cat calc.py\n..." }], isError: false };
    const second = await model.complete({
      messages: [PROMPT, first.message, { role: "tool", results: [{ call, output }] }],
      tools: [SHELL],
    });
    expect(second.message.text).toBe("Fixed: add() now returns a + b.");
    expect(second.usage).toEqual({ inputTokens: 1702, outputTokens: 12, cachedInputTokens: 0 });
    const contents = server.seen[1]!.body.contents;
    expect(contents[1]).toEqual({ role: "model", parts: SIGNED_CALL.candidates[0]!.content.parts });
    expect(contents[2]).toEqual({
      role: "user",
      parts: [
        {
          functionResponse: {
            name: "run_shell_command",
            response: { success: true, output: "$ cat calc.py\n..." },
          },
        },
      ],
    });
  });

  it("leaves retries to the shared policy (the SDK makes one request per attempt) and reports a 429 in one line", async () => {
    const quota = {
      error: {
        code: 429,
        message: "Resource has been exhausted (e.g. check quota).",
        status: "RESOURCE_EXHAUSTED",
      },
    };
    const { server, model } = await setUp(
      [
        { status: 429, body: quota },
        { status: 429, body: quota },
        { status: 200, body: ANSWER },
      ],
      { retry: { maxAttempts: 2, baseDelayMs: 1 } },
    );
    const error = await model.complete({ messages: [PROMPT], tools: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GeminiApiError);
    expect((error as GeminiApiError).status).toBe(429);
    expect((error as Error).message).toMatch(
      /^Gemini API error 429 RESOURCE_EXHAUSTED: Resource has been exhausted \(e\.g\. check quota\)\. \(.*\) \(after 2 attempts\)$/,
    );
    expect(server.seen).toHaveLength(2);
  });

  it("retries a 503 and answers", async () => {
    const unavailable = { error: { code: 503, message: "The model is overloaded.", status: "UNAVAILABLE" } };
    const { server, model } = await setUp(
      [
        { status: 503, body: unavailable },
        { status: 200, body: ANSWER },
      ],
      { retry: { baseDelayMs: 1 } },
    );
    const turn = await model.complete({ messages: [PROMPT], tools: [] });
    expect(turn.message.text).toBe("Fixed: add() now returns a + b.");
    expect(server.seen).toHaveLength(2);
  });

  it("retries a call that outlived timeoutSeconds", async () => {
    const { server, model } = await setUp(["hang", { status: 200, body: ANSWER }], {
      timeoutSeconds: 0.3,
      retry: { baseDelayMs: 1 },
    });
    const turn = await model.complete({ messages: [PROMPT], tools: [] });
    expect(turn.finishReason).toBe("stop");
    expect(server.seen).toHaveLength(2);
  });

  it("ends a hung call at timeoutSeconds with a timeout error", async () => {
    const { model } = await setUp(["hang"], { timeoutSeconds: 0.3, retry: { maxAttempts: 1 } });
    const error = await model.complete({ messages: [PROMPT], tools: [] }).catch((e: unknown) => e);
    // The retry policy wraps the last error, which stays the cause.
    expect((error as Error).cause).toBeInstanceOf(GeminiTimeoutError);
    expect((error as Error).message).toBe("Gemini API call timed out after 0.3s (after 1 attempt)");
  });

  it("stops a hung call when the request's signal aborts", async () => {
    const { model } = await setUp(["hang"], { timeoutSeconds: 30 });
    const controller = new AbortController();
    const pending = model.complete({ messages: [PROMPT], tools: [], signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const error = await pending.catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(GeminiTimeoutError);
    expect((error as Error).name).toBe("AbortError");
  });
});
