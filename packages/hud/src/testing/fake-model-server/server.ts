// startFakeModelServer: one loopback HTTP server speaking four model APIs, so the official SDKs run offline.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { anthropicApi } from "./anthropic.ts";
import type { FakeApi, FakeConversation, FakePolicy, FakeReply } from "./conversation.ts";
import { geminiApi } from "./gemini.ts";
import { openaiChatApi } from "./openai-chat.ts";
import { openaiResponsesApi } from "./openai-responses.ts";
import { IdSource, type ProviderApi } from "./provider-api.ts";
import { planReply } from "./reply-plan.ts";
import { HarnessError, ReplySource } from "./reply-source.ts";
import { apiKeyOf, flatHeaders, guessApi, matchRoute, type Route } from "./routes.ts";
import { writeSse } from "./sse.ts";
import { isObject, WireError } from "./wire-values.ts";

export interface FakeModelServerOptions {
  /** Decides each reply from the request; used once the script (if any) is used up. */
  policy?: FakePolicy;
  /** Replies in order; when they run out (and there is no policy) requests get a 500 saying so. */
  script?: readonly FakeReply[];
  /** Port on 127.0.0.1; 0 (the default) picks a free one. */
  port?: number;
  /** Largest accepted request body; bigger gets 413. Default 32 MiB. */
  maxBodyBytes?: number;
  /** How many recent requests `requests` keeps. Default 1000. */
  maxRecorded?: number;
}

export interface FakeModelServer extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  /** For `new Anthropic({ baseURL })`. */
  readonly anthropicBaseURL: string;
  /** For `new OpenAI({ baseURL })` (Responses and Chat Completions): `<url>/v1`. */
  readonly openaiBaseURL: string;
  /** For `new GoogleGenAI({ httpOptions: { baseUrl } })`. */
  readonly geminiBaseURL: string;
  /** The requests answered so far (oldest dropped past `maxRecorded`), normalized. */
  readonly requests: readonly FakeConversation[];
  /** Closes the server and every connection, hung ones included. Idempotent. */
  close(): Promise<void>;
}

const MIB = 1024 * 1024;

/** Reads the body, keeping at most `limit` bytes; a bigger body is drained and reported, never buffered. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too-large"> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) parts.push(chunk);
      else parts.length = 0;
    });
    req.on("end", () => resolve(size > limit ? "too-large" : Buffer.concat(parts)));
    req.on("error", reject);
  });
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed || res.headersSent) return;
  res.writeHead(status, { ...headers, "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

export async function startFakeModelServer(options: FakeModelServerOptions = {}): Promise<FakeModelServer> {
  const ids = new IdSource();
  const apis: Record<FakeApi, ProviderApi> = {
    anthropic: anthropicApi(ids),
    "openai-responses": openaiResponsesApi(ids),
    "openai-chat": openaiChatApi(ids),
    gemini: geminiApi(ids),
  };
  const replies = new ReplySource(options.script, options.policy);
  const maxBody = options.maxBodyBytes ?? 32 * MIB;
  const maxRecorded = options.maxRecorded ?? 1000;
  const requests: FakeConversation[] = [];

  async function respond(req: IncomingMessage, res: ServerResponse, provider: ProviderApi, route: Route) {
    const headers = flatHeaders(req.headers);
    const raw = await readBody(req, maxBody);
    if (raw === "too-large") {
      return send(res, 413, provider.error(413, `Request body exceeds the ${maxBody}-byte limit.`));
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString("utf8"));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return send(res, 400, provider.error(400, `The request body is not valid JSON: ${reason}`));
    }
    if (!isObject(body))
      return send(res, 400, provider.error(400, "The request body must be a JSON object."));
    const apiKey = apiKeyOf(headers, route.query);
    const conversation: FakeConversation = {
      api: provider.api,
      ...provider.read(body, route),
      headers,
      ...(apiKey ? { apiKey } : {}),
      body,
    };
    requests.push(conversation);
    if (requests.length > maxRecorded) requests.shift();
    const reply = await replies.next(conversation);
    if (reply.kind === "hang") return; // close() or the client's abort ends the socket
    if (reply.kind === "fault") {
      const { fault, retryAfter, message } = reply.fault;
      const retry: Record<string, string> =
        retryAfter === undefined ? {} : { "retry-after": String(retryAfter) };
      return send(res, fault, provider.error(fault, message ?? `Simulated error ${fault}.`), retry);
    }
    const plan = planReply(reply.answer, conversation, provider.newToolCallId);
    const wire = provider.answer(plan, conversation, route);
    if (res.destroyed) return;
    if (wire.kind === "json") send(res, 200, wire.body);
    else writeSse(res, wire.events, {});
  }

  const server = createServer((req, res) => {
    res.on("error", () => {}); // a client that went away mid-reply is not the server's problem
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const route = matchRoute(req.method ?? "GET", url.pathname, url.searchParams);
    if (!route) {
      req.resume();
      const provider = apis[guessApi(url.pathname, flatHeaders(req.headers), url.searchParams)];
      return send(res, 404, provider.error(404, `Unknown route: ${req.method} ${url.pathname}`));
    }
    const provider = apis[route.api];
    respond(req, res, provider, route).catch((error: unknown) => {
      if (error instanceof WireError)
        return send(res, error.status, provider.error(error.status, error.message));
      const message = error instanceof Error ? error.message : String(error);
      // x-should-retry: false keeps the Stainless SDKs (Anthropic, OpenAI) from retrying a test's own mistake.
      const headers = { "x-should-retry": "false" };
      const reason =
        error instanceof HarnessError ? message : `fake model server: internal error: ${message}`;
      send(res, 500, provider.error(500, reason), headers);
    });
  });
  server.on("clientError", (_error, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    return closing;
  };
  return {
    url,
    anthropicBaseURL: url,
    openaiBaseURL: `${url}/v1`,
    geminiBaseURL: url,
    requests,
    close,
    [Symbol.asyncDispose]: close,
  };
}
