// A loopback HTTP server speaking MCP streamable HTTP: bearer auth, one SDK transport per Mcp-Session-Id.
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";

/** What the SDK's `McpServer` and low-level `Server` both are: bound to one transport at a time. */
export interface ConnectableServer {
  connect(transport: Transport): Promise<void>;
  close(): Promise<void>;
}

export interface McpHttpEndpointOptions {
  /** A server for a new session: a fresh one per call, or always the same instance when `exclusive`. */
  serverFor: () => ConnectableServer | Promise<ConnectableServer>;
  /** One session at a time: a new session ends the ones before it (a single server instance). */
  exclusive: boolean;
  /** Required as `Authorization: Bearer <token>` on every request; undefined = no auth. */
  authToken: string | undefined;
  /** Where the endpoint is served (e.g. "/mcp"). */
  path: string;
  /** Largest accepted POST body in bytes. */
  maxBodyBytes: number;
  /** Most sessions kept at once; the least recently used is ended to admit a new one. */
  maxSessions: number;
}

interface Session {
  transport: StreamableHTTPServerTransport;
  server: ConnectableServer;
}

/** Ids of sessions ended because a newer one took their exclusive server (bounded; for the error message). */
const REPLACED_MEMORY = 256;

function sendJsonError(res: ServerResponse, status: number, code: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (status === 401) headers["www-authenticate"] = 'Bearer realm="mcp"';
  res.writeHead(status, headers);
  res.end(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }));
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text).digest();
}

/** Loopback only: a page in a browser on this machine cannot reach the endpoint under another name (DNS rebinding). */
function isLoopbackHost(header: string | undefined): boolean {
  if (header === undefined) return false;
  const host = header.startsWith("[") ? header.slice(0, header.indexOf("]") + 1) : header.split(":", 1)[0]!;
  return host === "localhost" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

export class McpHttpEndpoint {
  private readonly options: McpHttpEndpointOptions;
  private readonly http: Server;
  private readonly sessions = new Map<string, Session>();
  private readonly replaced = new Set<string>();
  private readonly expectedToken: Buffer | undefined;
  private opening: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(options: McpHttpEndpointOptions) {
    this.options = options;
    this.expectedToken = options.authToken === undefined ? undefined : digest(`Bearer ${options.authToken}`);
    this.http = createServer((req, res) => {
      res.on("error", () => {});
      this.handle(req, res).catch(() => sendJsonError(res, 500, -32603, "Internal error"));
    });
  }

  /** Listen on 127.0.0.1 (ephemeral port). */
  static async start(options: McpHttpEndpointOptions): Promise<McpHttpEndpoint> {
    const endpoint = new McpHttpEndpoint(options);
    await new Promise<void>((resolve, reject) => {
      endpoint.http.once("error", reject);
      endpoint.http.listen(0, "127.0.0.1", () => {
        endpoint.http.off("error", reject);
        resolve();
      });
    });
    return endpoint;
  }

  get port(): number {
    return (this.http.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}${this.options.path}`;
  }

  /** Sessions currently open. */
  get sessionCount(): number {
    return this.sessions.size;
  }

  private authorized(req: IncomingMessage): boolean {
    if (this.expectedToken === undefined) return true;
    const given = req.headers.authorization;
    return typeof given === "string" && timingSafeEqual(digest(given), this.expectedToken);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? "/").split("?", 1)[0];
    if (path !== this.options.path) {
      sendJsonError(res, 404, -32601, `Not found: the MCP endpoint is ${this.options.path}`);
      return;
    }
    if (!isLoopbackHost(req.headers.host)) {
      sendJsonError(res, 403, -32000, "Forbidden: Host must be a loopback address");
      return;
    }
    if (!this.authorized(req)) {
      sendJsonError(res, 401, -32001, "Unauthorized: missing or wrong bearer token");
      return;
    }
    if (this.closed) {
      sendJsonError(res, 503, -32000, "Service unavailable: the MCP endpoint is shutting down");
      return;
    }
    const header = req.headers["mcp-session-id"];
    const sessionId = Array.isArray(header) ? header[0] : header;
    if (sessionId !== undefined) {
      const session = this.sessions.get(sessionId);
      if (!session) {
        const message = this.replaced.has(sessionId)
          ? "Session not found: a newer session replaced it (this MCP server serves one session at a time; " +
            "pass a factory `() => new McpServer(...)` to env.mcp for concurrent sessions)"
          : "Session not found";
        sendJsonError(res, 404, -32001, message);
        return;
      }
      // Most recently used last, so the eviction below ends the idlest session.
      this.sessions.delete(sessionId);
      this.sessions.set(sessionId, session);
      await session.transport.handleRequest(req, res);
      return;
    }
    if (req.method === "GET" || req.method === "DELETE") {
      sendJsonError(res, 400, -32000, "Bad Request: Mcp-Session-Id header is required");
      return;
    }
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "GET, POST, DELETE" }).end();
      return;
    }
    await this.openSession(req, res);
  }

  /** A POST without a session: the SDK validates it; an `initialize` request makes a session. */
  private async openSession(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      maxRequestBodySize: this.options.maxBodyBytes,
      // Runs before the SDK dispatches the initialize request, so the server is connected in time.
      onsessioninitialized: (id) => this.serialize(() => this.admit(id, transport)),
    });
    await transport.handleRequest(req, res);
    // Not an initialize request (or a rejected one): nothing to keep.
    if (transport.sessionId === undefined || !this.sessions.has(transport.sessionId)) {
      await transport.close().catch(() => {});
    }
  }

  /** Session openings run one at a time, so an exclusive server is never connected twice. */
  private serialize<T>(step: () => Promise<T>): Promise<T> {
    const next = this.opening.then(step, step);
    this.opening = next.catch(() => {});
    return next;
  }

  private async admit(id: string, transport: StreamableHTTPServerTransport): Promise<void> {
    if (this.closed) throw new Error("the MCP endpoint is shutting down");
    if (this.options.exclusive) {
      for (const old of [...this.sessions.keys()]) {
        this.remember(old);
        await this.endSession(old);
      }
    }
    while (this.sessions.size >= this.options.maxSessions) {
      await this.endSession(this.sessions.keys().next().value!);
    }
    const server = await this.options.serverFor();
    transport.onclose = () => {
      if (this.sessions.get(id)?.transport === transport) this.sessions.delete(id);
    };
    await server.connect(transport);
    this.sessions.set(id, { transport, server });
  }

  private remember(id: string): void {
    this.replaced.add(id);
    if (this.replaced.size > REPLACED_MEMORY) this.replaced.delete(this.replaced.values().next().value!);
  }

  private async endSession(id: string): Promise<void> {
    const session = this.sessions.get(id);
    if (!session) return;
    this.sessions.delete(id);
    // Closing the server closes its transport (ending open streams) and frees it for the next session.
    await session.server.close().catch(() => {});
    await session.transport.close().catch(() => {});
  }

  /** Stop accepting, end every session, drop open connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const stopped = new Promise<void>((resolve) => this.http.close(() => resolve()));
    await this.opening;
    await Promise.allSettled([...this.sessions.keys()].map((id) => this.endSession(id)));
    this.http.closeAllConnections();
    await stopped;
  }
}
