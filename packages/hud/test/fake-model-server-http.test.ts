// The fake model server's HTTP side: bad input gets provider-shaped errors, replies come from script then
// policy, and close() ends everything (hung requests included) — the server keeps serving throughout.
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import type { FakeModelServer } from "../src/testing/index.ts";
import { useFakeModelServer } from "./support/fake-model.ts";

const start = useFakeModelServer();

const ROUTES = {
  anthropic: "/v1/messages",
  responses: "/v1/responses",
  chat: "/v1/chat/completions",
  gemini: "/v1beta/models/gemini-test:generateContent",
};

async function post(s: FakeModelServer, path: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${s.url}${path}`, {
    method: "POST",
    body,
    headers: { "content-type": "application/json", ...headers },
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

async function stillServes(s: FakeModelServer) {
  const openai = new OpenAI({ apiKey: "k", baseURL: s.openaiBaseURL, maxRetries: 0 });
  const completion = await openai.chat.completions.create({
    model: "m",
    messages: [{ role: "user", content: "hi" }],
  });
  return completion.choices[0]?.message.content;
}

describe("fake model server: HTTP", () => {
  it("answers malformed JSON with a 400 in each provider's error shape", async () => {
    const s = await start();
    const anthropic = await post(s, ROUTES.anthropic, "{nope");
    expect(anthropic.status).toBe(400);
    expect(anthropic.body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    for (const path of [ROUTES.responses, ROUTES.chat]) {
      const openai = await post(s, path, "{nope");
      expect(openai.status).toBe(400);
      expect(openai.body).toMatchObject({ error: { type: "invalid_request_error", param: null } });
    }
    const gemini = await post(s, ROUTES.gemini, "{nope");
    expect(gemini.status).toBe(400);
    expect(gemini.body).toMatchObject({ error: { code: 400, status: "INVALID_ARGUMENT" } });
    expect(String((gemini.body.error as { message: string }).message)).toMatch(/not valid JSON/);
    expect(await stillServes(s)).toBe("ok");
  });

  it("rejects bodies that are not objects or lack required fields, naming the field", async () => {
    const s = await start();
    expect((await post(s, ROUTES.chat, "[1, 2]")).status).toBe(400);
    const missing = await post(s, ROUTES.anthropic, JSON.stringify({ model: "m", max_tokens: 5 }));
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ error: { message: expect.stringMatching(/^messages: /) } });
    expect(s.requests).toHaveLength(0);
  });

  it("answers 413 to a body over 32 MiB, through the SDK, and keeps serving", async () => {
    const s = await start();
    const anthropic = new Anthropic({ apiKey: "k", baseURL: s.anthropicBaseURL, maxRetries: 0 });
    const huge = "x".repeat(33 * 1024 * 1024);
    const error = await anthropic.messages
      .create({ model: "m", max_tokens: 5, messages: [{ role: "user", content: huge }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error).toMatchObject({ status: 413, type: "request_too_large" });
    expect(s.requests).toHaveLength(0);
    expect(await stillServes(s)).toBe("ok");
  });

  it("answers unknown paths with a 404 shaped like the SDK that asked", async () => {
    const s = await start();
    const openai = new OpenAI({ apiKey: "k", baseURL: s.openaiBaseURL, maxRetries: 0 });
    await expect(openai.models.list()).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const anthropic = await post(s, "/v1/messages/count_tokens", "{}", { "anthropic-version": "2023-06-01" });
    expect(anthropic).toMatchObject({
      status: 404,
      body: { type: "error", error: { type: "not_found_error" } },
    });
    const gemini = await post(s, "/v1beta/models/gemini-test:countTokens", "{}");
    expect(gemini).toMatchObject({ status: 404, body: { error: { code: 404, status: "NOT_FOUND" } } });
    expect(await stillServes(s)).toBe("ok");
  });

  it("never crashes on odd but valid JSON", async () => {
    const s = await start();
    const odd = [
      [ROUTES.anthropic, { model: "m", max_tokens: 5, messages: [{ role: "user", content: 5 }, 7] }],
      [ROUTES.anthropic, { model: "m", max_tokens: 5, messages: [{ role: "robot" }] }],
      [ROUTES.responses, { model: "m", input: 5 }],
      [ROUTES.responses, { model: "m", input: [null, { type: "function_call_output" }, { role: "user" }] }],
      [ROUTES.responses, { model: "m", previous_response_id: 12 }],
      [
        ROUTES.chat,
        { model: "m", messages: [{ role: "assistant", tool_calls: [{ function: 3 }] }], tools: [1] },
      ],
      [
        ROUTES.gemini,
        { contents: [{ parts: [{ functionResponse: { response: 3 } }, 4] }], tools: [{ x: 1 }] },
      ],
      [ROUTES.gemini, { contents: "hi" }],
    ] as const;
    for (const [path, body] of odd) {
      const { status } = await post(s, path, JSON.stringify(body));
      expect([200, 400]).toContain(status);
    }
    expect(await stillServes(s)).toBe("ok");
  });

  it("frames streams as each provider does on the wire", async () => {
    const s = await start();
    const raw = async (path: string, body: unknown) => {
      const res = await fetch(`${s.url}${path}`, { method: "POST", body: JSON.stringify(body) });
      return { type: res.headers.get("content-type"), text: await res.text() };
    };
    const chat = await raw(ROUTES.chat, { model: "m", messages: [], stream: true });
    expect(chat.type).toMatch(/^text\/event-stream/);
    expect(chat.text.endsWith("data: [DONE]\n\n")).toBe(true);
    expect(chat.text).not.toContain("event:");
    const anthropic = await raw(ROUTES.anthropic, { model: "m", max_tokens: 5, messages: [], stream: true });
    expect(anthropic.text.startsWith("event: message_start\ndata: {")).toBe(true);
    expect(anthropic.text).toContain("event: ping\n");
    const responses = await raw(ROUTES.responses, { model: "m", input: "x", stream: true });
    const frames = responses.text.trim().split("\n\n");
    for (const frame of frames) {
      const [event, data] = frame.split("\n");
      expect(event).toBe(`event: ${JSON.parse(data!.slice("data: ".length)).type}`);
    }
    const gemini = await raw("/v1/models/m:streamGenerateContent?alt=sse", { contents: [] });
    expect(gemini.text.startsWith('data: {"candidates"')).toBe(true);
    // Without alt=sse Gemini streams one JSON array.
    const array = await raw("/v1/models/m:streamGenerateContent", { contents: [] });
    expect(array.type).toBe("application/json");
    expect(JSON.parse(array.text)).toMatchObject([{ candidates: [{ finishReason: "STOP" }] }]);
  });

  it("records request headers and where the API key came from", async () => {
    const s = await start();
    const openai = new OpenAI({
      apiKey: "k",
      baseURL: s.openaiBaseURL,
      defaultHeaders: { "Trace-Id": "abc123" },
    });
    await openai.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }] });
    expect(s.requests[0]?.headers["trace-id"]).toBe("abc123");
    await post(s, `${ROUTES.gemini}?key=from-query`, JSON.stringify({ contents: [] }));
    expect(s.requests[1]?.apiKey).toEqual({ via: "query:key", value: "from-query" });
    await post(s, ROUTES.anthropic, JSON.stringify({ model: "m", max_tokens: 5, messages: [] }), {
      "x-api-key": "xk",
    });
    expect(s.requests[2]?.apiKey).toEqual({ via: "x-api-key", value: "xk" });
  });

  it("uses the script first, then the policy, which sees the normalized conversation", async () => {
    const s = await start({
      script: [{ text: "scripted" }],
      policy: (c) => ({ text: `${c.api} heard ${JSON.stringify(c.messages.at(-1)?.parts[0])}` }),
    });
    expect(await stillServes(s)).toBe("scripted");
    expect(await stillServes(s)).toBe('openai-chat heard {"type":"text","text":"hi"}');
  });

  it("turns a throwing policy into a 500 with its message that the SDK does not retry", async () => {
    const s = await start({
      policy: () => {
        throw new Error("no rule for this turn");
      },
    });
    const openai = new OpenAI({ apiKey: "k", baseURL: s.openaiBaseURL, maxRetries: 2 });
    const error = await openai.responses.create({ model: "m", input: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as Error).message).toContain("the policy threw: no rule for this turn");
    expect((error as InstanceType<typeof OpenAI.InternalServerError>).headers.get("x-should-retry")).toBe(
      "false",
    );
    expect(s.requests).toHaveLength(1);
  });

  it("explains a reply that is not a reply", async () => {
    const s = await start({ script: [{ fault: 200 }, null as never] });
    expect((await post(s, ROUTES.chat, JSON.stringify({ model: "m", messages: [] }))).body).toMatchObject({
      error: { message: expect.stringMatching(/fault must be an HTTP error status/) },
    });
    expect((await post(s, ROUTES.chat, JSON.stringify({ model: "m", messages: [] }))).body).toMatchObject({
      error: { message: expect.stringMatching(/a reply must be an object, got null/) },
    });
  });

  it("keeps only the most recent requests", async () => {
    const s = await start({ maxRecorded: 2 });
    for (const text of ["one", "two", "three"]) {
      await post(s, ROUTES.chat, JSON.stringify({ model: "m", messages: [{ role: "user", content: text }] }));
    }
    expect(s.requests.map((r) => r.messages[0]?.parts[0])).toEqual([
      { type: "text", text: "two" },
      { type: "text", text: "three" },
    ]);
  });

  it("closes hung connections, idempotently, and by dispose", async () => {
    const s = await start({ script: [{ hang: true }] });
    const hung = fetch(`${s.url}${ROUTES.chat}`, {
      method: "POST",
      body: JSON.stringify({ model: "m", messages: [] }),
    });
    while (s.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await Promise.all([s.close(), s.close()]);
    await expect(hung).rejects.toThrow();
    await s[Symbol.asyncDispose]();
    await expect(fetch(`${s.url}${ROUTES.chat}`, { method: "POST", body: "{}" })).rejects.toThrow();
  });
});
