// postJson against a raw HTTP server: what goes on the wire, a reply in pieces, and the edges the SDK's own
// parsing layer used to cover — an error status, a body that stalls after its headers, an abort mid-body.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import OpenAI, { APIConnectionTimeoutError, APIError } from "openai";
import { afterEach, describe, expect, it } from "vitest";
import { OpenAIChatModel } from "./openai-chat/openai-chat-model.ts";
import { postJson } from "./openai-post-json.ts";

interface Seen {
  headers: IncomingMessage["headers"];
  body: string;
  closed: Promise<void>;
}

let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** A server answering each request with `answer`; `seen` collects the requests and when their sockets closed. */
async function serve(answer: (res: ServerResponse) => void): Promise<{ baseURL: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (chunk: Buffer) => parts.push(chunk));
    req.on("end", () => {
      const closed = new Promise<void>((resolve) => req.socket.once("close", () => resolve()));
      seen.push({ headers: req.headers, body: Buffer.concat(parts).toString("utf8"), closed });
      answer(res);
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { baseURL: `http://127.0.0.1:${port}/v1`, seen };
}

const client = (baseURL: string, timeout?: number) =>
  new OpenAI({ apiKey: "sk-test", baseURL, maxRetries: 0, ...(timeout ? { timeout } : {}) });

/** Headers now, then a body that never completes. */
const stall = (res: ServerResponse) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.write('{"id": "cmpl-1", ');
};

describe("postJson", () => {
  it("posts the body as JSON with the SDK's headers and returns the reply, however it is split", async () => {
    const reply = { id: "cmpl-1", text: "é".repeat(40_000) };
    const { baseURL, seen } = await serve((res) => {
      res.writeHead(200, { "content-type": "application/json" });
      const text = JSON.stringify(reply);
      // Cut inside a two-byte character: the pieces are joined before decoding.
      res.write(text.slice(0, 10_001));
      setTimeout(() => res.end(text.slice(10_001)), 20);
    });
    const body = { model: "m", messages: [{ role: "user", content: "hi" }], stream: false };
    const out = await postJson(client(baseURL), "/chat/completions", body, {
      headers: { "Trace-Id": "t-1" },
    });
    expect(out).toEqual(reply);
    expect(seen).toHaveLength(1);
    expect(JSON.parse(seen[0]!.body)).toEqual(body);
    expect(seen[0]!.headers).toMatchObject({
      "content-type": "application/json",
      authorization: "Bearer sk-test",
      "trace-id": "t-1",
      "x-stainless-lang": "js",
    });
  });

  it("turns an error status into the SDK's APIError, with its status and headers", async () => {
    const { baseURL } = await serve((res) => {
      res.writeHead(429, { "content-type": "application/json", "retry-after": "3" });
      res.end(JSON.stringify({ error: { message: "Slow down.", type: "rate_limit" } }));
    });
    const error = await postJson(client(baseURL), "/responses", {}, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).status).toBe(429);
    expect((error as APIError).headers?.get("retry-after")).toBe("3");
    expect((error as APIError).message).toContain("Slow down.");
  });

  it("says where a reply that is not JSON came from, and what it was", async () => {
    const { baseURL } = await serve((res) => {
      res.writeHead(200, { "content-type": "text/html" });
      res.end("<html>\n<body>Welcome to nginx!</body>\n</html>");
    });
    await expect(postJson(client(baseURL), "/chat/completions", {}, {})).rejects.toThrow(
      `${baseURL}/chat/completions answered 200 with a body that is not JSON (text/html): ` +
        "<html> <body>Welcome to nginx!</body> </html> — check the base URL",
    );
  });

  it("ends a body that stalls after its headers with the SDK's timeout error, and drops the connection", async () => {
    const { baseURL, seen } = await serve(stall);
    const started = Date.now();
    const error = await postJson(client(baseURL, 400), "/chat/completions", {}, {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(Date.now() - started).toBeGreaterThanOrEqual(350);
    expect(Date.now() - started).toBeLessThan(3000);
    await seen[0]!.closed;
  });

  it("ends a stalled body read at once when the caller aborts", async () => {
    const { baseURL, seen } = await serve(stall);
    const abort = new AbortController();
    const call = postJson(client(baseURL), "/chat/completions", {}, { signal: abort.signal });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = Date.now();
    abort.abort();
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toMatch(/Abort/);
    expect(Date.now() - started).toBeLessThan(1000);
    await seen[0]!.closed;
  });

  it("reaches the user as the adapter's one line when the model's call times out mid-body", async () => {
    const { baseURL } = await serve(stall);
    const model = new OpenAIChatModel({
      model: "qwen3-8b",
      baseURL,
      timeoutSeconds: 0.3,
      retry: { maxAttempts: 1 },
    });
    const ask = { role: "user" as const, content: [{ type: "text" as const, text: "hi" }] };
    await expect(model.complete({ messages: [ask], tools: [] })).rejects.toThrow(/did not answer in time/);
  });
});
