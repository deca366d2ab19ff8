// McpClient: the runner's side of an `mcp` capability, on the official SDK client (streamable HTTP, SSE or WebSocket).
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import {
  StreamableHTTPClientTransport,
  StreamableHTTPError,
} from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { WebSocketClientTransport } from "@modelcontextprotocol/sdk/client/websocket.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  CompatibilityCallToolResultSchema,
  type ContentBlock,
  type JSONRPCMessage,
  JSONRPCMessageSchema,
  type Progress,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import { HudError } from "../../protocol/errors.ts";
import type { Capability } from "../capability.ts";
import { splitUrl } from "../url.ts";

export interface McpClientOptions {
  /** Seconds to wait for connecting and for each request other than tool calls (default 60). */
  timeout?: number;
  /** Seconds a tool call may run without progress notifications (default 600). */
  callTimeout?: number;
  /** How this client introduces itself in `initialize`. */
  clientInfo?: { name: string; version: string };
}

/** A tool result in one shape whatever the server sent (snake_case keys, legacy `toolResult`, no content). */
export interface McpToolResult {
  content: ContentBlock[];
  isError: boolean;
  structuredContent?: Record<string, unknown>;
  _meta?: Record<string, unknown>;
}

type McpTransportKind = "streamable-http" | "sse" | "websocket";
const MAX_PAGES = 1000;
/** Seconds allowed for ending the server-side session at close. */
const TERMINATE_SECONDS = 2;

/** One line; an HTTP failure says its status and the JSON-RPC error message the server put in the body. */
function messageOf(error: unknown): string {
  if (error instanceof StreamableHTTPError && error.code !== undefined && error.code > 0) {
    const body = /\{.*\}\s*$/s.exec(error.message)?.[0];
    let detail = error.message;
    try {
      const parsed = JSON.parse(body ?? "") as { error?: { message?: unknown } };
      if (typeof parsed.error?.message === "string") detail = parsed.error.message;
    } catch {
      // Not a JSON-RPC body: keep the SDK's message.
    }
    return `HTTP ${error.code}: ${detail}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function transportKind(cap: Capability): McpTransportKind {
  const declared = cap.params.transport;
  if (declared === "streamable-http" || declared === "sse" || declared === "websocket") return declared;
  if (declared !== undefined) {
    throw new HudError(
      `mcp '${cap.name}': unknown transport '${String(declared)}' (use streamable-http, sse or websocket)`,
    );
  }
  const scheme = splitUrl(cap.url).scheme;
  return scheme === "ws" || scheme === "wss" ? "websocket" : "streamable-http";
}

/**
 * WebSocket with headers (Node's WebSocket accepts them; the SDK's transport cannot send them), used when the
 * binding carries an auth token.
 */
class HeaderWebSocketTransport implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  private readonly url: URL;
  private readonly headers: Record<string, string>;
  private socket: WebSocket | undefined;

  constructor(url: URL, headers: Record<string, string>) {
    this.url = url;
    this.headers = headers;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.url, { protocols: ["mcp"], headers: this.headers });
      this.socket = socket;
      socket.onopen = () => resolve();
      socket.onerror = () => {
        const error = new Error(`WebSocket error on ${this.url.origin}`);
        reject(error);
        this.onerror?.(error);
      };
      socket.onclose = () => this.onclose?.();
      socket.onmessage = (event) => {
        try {
          this.onmessage?.(JSONRPCMessageSchema.parse(JSON.parse(String(event.data))));
        } catch (error) {
          this.onerror?.(error as Error);
        }
      };
    });
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.socket?.readyState !== WebSocket.OPEN) throw new Error("Not connected");
    this.socket.send(JSON.stringify(message));
  }

  async close(): Promise<void> {
    this.socket?.close();
  }
}

function transportFor(cap: Capability, kind: McpTransportKind): Transport {
  const token = cap.params.auth_token;
  if (token !== undefined && typeof token !== "string") {
    throw new HudError(`mcp '${cap.name}': 'auth_token' must be a string`);
  }
  const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
  let url: URL;
  try {
    url = new URL(cap.url);
  } catch {
    throw new HudError(`mcp '${cap.name}': invalid url '${cap.url}'`);
  }
  if (kind === "websocket") {
    return token ? new HeaderWebSocketTransport(url, headers) : new WebSocketClientTransport(url);
  }
  if (kind === "sse") return new SSEClientTransport(url, { requestInit: { headers } });
  return new StreamableHTTPClientTransport(url, { requestInit: { headers } });
}

function normalizeResult(raw: Record<string, unknown>): McpToolResult {
  let content: ContentBlock[] = [];
  if (Array.isArray(raw.content)) content = raw.content as ContentBlock[];
  else if ("toolResult" in raw) content = [{ type: "text", text: JSON.stringify(raw.toolResult) }];
  const structured = raw.structuredContent ?? raw.structured_content;
  const result: McpToolResult = { content, isError: (raw.isError ?? raw.is_error) === true };
  if (typeof structured === "object" && structured !== null && !Array.isArray(structured)) {
    result.structuredContent = structured as Record<string, unknown>;
  }
  if (typeof raw._meta === "object" && raw._meta !== null)
    result._meta = raw._meta as Record<string, unknown>;
  return result;
}

export class McpClient implements AsyncDisposable {
  readonly capability: Capability;
  /** The SDK client, for what this class does not wrap (resources, prompts, notifications). */
  readonly client: Client;
  private readonly transport: Transport;
  private readonly timeoutMs: number;
  private readonly callTimeoutMs: number;
  private closed = false;

  private constructor(
    capability: Capability,
    client: Client,
    transport: Transport,
    options: McpClientOptions,
  ) {
    this.capability = capability;
    this.client = client;
    this.transport = transport;
    this.timeoutMs = (options.timeout ?? 60) * 1000;
    this.callTimeoutMs = (options.callTimeout ?? 600) * 1000;
  }

  /** Connect to an `mcp` binding (use `client.binding(name)` for its forwarded url) and run `initialize`. */
  static async connect(cap: Capability, options: McpClientOptions = {}): Promise<McpClient> {
    if (cap.family !== "mcp") {
      throw new HudError(`McpClient.connect: capability '${cap.name}' speaks ${cap.protocol}, not mcp`);
    }
    for (const key of ["timeout", "callTimeout"] as const) {
      const value = options[key];
      if (value !== undefined && !(Number.isFinite(value) && value > 0)) {
        throw new HudError(`McpClient.connect: '${key}' must be a positive number of seconds`);
      }
    }
    const kind = transportKind(cap);
    const transport = transportFor(cap, kind);
    const client = new Client(options.clientInfo ?? { name: "hud", version: "0.1.0" }, { capabilities: {} });
    client.onerror = () => {};
    const timeout = (options.timeout ?? 60) * 1000;
    try {
      await client.connect(transport, { timeout });
    } catch (error) {
      await client.close().catch(() => {});
      throw new HudError(`mcp '${cap.name}': cannot connect to ${cap.url} (${kind}): ${messageOf(error)}`, {
        cause: error,
      });
    }
    return new McpClient(cap, client, transport, options);
  }

  /** Every tool the server lists, across all pages. */
  async listTools(): Promise<Tool[]> {
    const tools: Tool[] = [];
    const seen = new Set<string>();
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      let result: Awaited<ReturnType<Client["listTools"]>>;
      try {
        result = await this.client.listTools(cursor === undefined ? {} : { cursor }, {
          timeout: this.timeoutMs,
        });
      } catch (error) {
        throw new HudError(`mcp '${this.capability.name}': tools/list failed: ${messageOf(error)}`, {
          cause: error,
        });
      }
      tools.push(...result.tools);
      cursor = result.nextCursor;
      if (cursor === undefined || seen.has(cursor)) return tools;
      seen.add(cursor);
    }
    return tools;
  }

  /** Call a tool; a result with `isError` is returned, not thrown (protocol and transport failures throw). */
  async callTool(
    name: string,
    args: Record<string, unknown> = {},
    options: { signal?: AbortSignal; timeout?: number; onProgress?: (progress: Progress) => void } = {},
  ): Promise<McpToolResult> {
    let raw: Record<string, unknown>;
    try {
      raw = await this.client.request(
        { method: "tools/call", params: { name, arguments: args } },
        CompatibilityCallToolResultSchema,
        {
          signal: options.signal,
          timeout: options.timeout === undefined ? this.callTimeoutMs : options.timeout * 1000,
          resetTimeoutOnProgress: true,
          onprogress: options.onProgress,
        },
      );
    } catch (error) {
      throw new HudError(`mcp '${this.capability.name}': tool '${name}' failed: ${messageOf(error)}`, {
        cause: error,
      });
    }
    return normalizeResult(raw);
  }

  /** End the server-side session (streamable HTTP) and close the transport. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.transport instanceof StreamableHTTPClientTransport) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.transport.terminateSession().catch(() => {}),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, TERMINATE_SECONDS * 1000);
        }),
      ]);
      clearTimeout(timer);
    }
    await this.client.close().catch(() => {});
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
