// One stdio MCP server shared by every HTTP session: an SDK Client to it, and a relaying Server per session.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import type { AnySchema, SchemaOutput } from "@modelcontextprotocol/sdk/server/zod-compat.js";
import {
  CallToolRequestSchema,
  CallToolResultSchema,
  type ClientRequest,
  CompleteRequestSchema,
  CompleteResultSchema,
  ErrorCode,
  GetPromptRequestSchema,
  GetPromptResultSchema,
  ListPromptsRequestSchema,
  ListPromptsResultSchema,
  ListResourcesRequestSchema,
  ListResourcesResultSchema,
  ListResourceTemplatesRequestSchema,
  ListResourceTemplatesResultSchema,
  ListToolsRequestSchema,
  ListToolsResultSchema,
  McpError,
  type Progress,
  type ProgressToken,
  PromptListChangedNotificationSchema,
  ReadResourceRequestSchema,
  ReadResourceResultSchema,
  ResourceListChangedNotificationSchema,
  type ServerCapabilities,
  type ServerNotification,
  ToolListChangedNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { HudError } from "../../protocol/errors.ts";
import { type StdioProcessOptions, StdioServerProcess } from "./stdio-process.ts";

export interface StdioProxyOptions extends StdioProcessOptions {
  /** Seconds to wait for the server to answer `initialize`. */
  startTimeout: number;
  /** Seconds a relayed request may take without progress notifications. */
  requestTimeout: number;
}

interface RelayRequest {
  method: string;
  params?: { [key: string]: unknown; _meta?: { [key: string]: unknown } };
}

interface RelayExtra {
  signal: AbortSignal;
  sendNotification: (notification: ServerNotification) => Promise<void>;
}

/** The SDK prefixes messages with "MCP error <code>: "; relaying must not stack the prefix. */
function relayedError(error: McpError): McpError {
  const prefix = `MCP error ${error.code}: `;
  const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
  return new McpError(error.code, message, error.data);
}

export class StdioProxy {
  readonly child: StdioServerProcess;
  private readonly client: Client;
  private readonly requestTimeoutMs: number;
  private readonly sessions = new Set<Server>();

  private constructor(child: StdioServerProcess, client: Client, requestTimeout: number) {
    this.child = child;
    this.client = client;
    this.requestTimeoutMs = requestTimeout * 1000;
  }

  /** Spawn the server and complete the MCP handshake with it. */
  static async start(
    command: string,
    args: readonly string[],
    options: StdioProxyOptions,
  ): Promise<StdioProxy> {
    const child = new StdioServerProcess(command, args, options);
    const client = new Client({ name: "hud-mcp-stdio-proxy", version: "1.0.0" }, { capabilities: {} });
    // Errors surface through the requests they fail; the default handler would only log them.
    client.onerror = () => {};
    try {
      await client.connect(child, { timeout: options.startTimeout * 1000 });
    } catch (error) {
      await child.close();
      if (HudError.is(error)) throw error;
      const reason = child.exited ? child.describeExit() : `${child.label}: ${(error as Error).message}`;
      throw new HudError(`stdio MCP server did not start: ${reason}`);
    }
    const proxy = new StdioProxy(child, client, options.requestTimeout);
    proxy.followListChanges();
    return proxy;
  }

  /** A fresh relaying server for one HTTP session, advertising what the stdio server supports. */
  sessionServer(): Server {
    const remote = this.client.getServerCapabilities() ?? {};
    // Only what is relayed: subscriptions, logging and tasks would need per-session state on the server side.
    const capabilities: ServerCapabilities = {};
    if (remote.tools) capabilities.tools = { listChanged: remote.tools.listChanged ?? false };
    if (remote.resources) capabilities.resources = { listChanged: remote.resources.listChanged ?? false };
    if (remote.prompts) capabilities.prompts = { listChanged: remote.prompts.listChanged ?? false };
    if (remote.completions) capabilities.completions = {};
    const server = new Server(
      this.client.getServerVersion() ?? { name: this.child.label, version: "0.0.0" },
      {
        capabilities,
        instructions: this.client.getInstructions(),
      },
    );
    const relay =
      <S extends AnySchema>(schema: S) =>
      (request: RelayRequest, extra: RelayExtra) =>
        this.relay(request, schema, extra);
    if (capabilities.tools) {
      server.setRequestHandler(ListToolsRequestSchema, relay(ListToolsResultSchema));
      server.setRequestHandler(CallToolRequestSchema, relay(CallToolResultSchema));
    }
    if (capabilities.resources) {
      server.setRequestHandler(ListResourcesRequestSchema, relay(ListResourcesResultSchema));
      server.setRequestHandler(ListResourceTemplatesRequestSchema, relay(ListResourceTemplatesResultSchema));
      server.setRequestHandler(ReadResourceRequestSchema, relay(ReadResourceResultSchema));
    }
    if (capabilities.prompts) {
      server.setRequestHandler(ListPromptsRequestSchema, relay(ListPromptsResultSchema));
      server.setRequestHandler(GetPromptRequestSchema, relay(GetPromptResultSchema));
    }
    if (capabilities.completions) {
      server.setRequestHandler(CompleteRequestSchema, relay(CompleteResultSchema));
    }
    this.sessions.add(server);
    server.onclose = () => this.sessions.delete(server);
    return server;
  }

  private async relay<S extends AnySchema>(
    request: RelayRequest,
    schema: S,
    extra: RelayExtra,
  ): Promise<SchemaOutput<S>> {
    if (this.child.exited) throw new McpError(ErrorCode.InternalError, this.child.describeExit());
    const params = { ...request.params };
    // The stdio side gets its own progress token; its progress is re-sent under the caller's token.
    const { progressToken, ...meta } = (params._meta ?? {}) as { progressToken?: ProgressToken };
    if (params._meta !== undefined) params._meta = meta;
    const onprogress =
      progressToken === undefined
        ? undefined
        : (progress: Progress) => {
            extra
              .sendNotification({ method: "notifications/progress", params: { ...progress, progressToken } })
              .catch(() => {});
          };
    try {
      return await this.client.request({ method: request.method, params } as ClientRequest, schema, {
        signal: extra.signal,
        timeout: this.requestTimeoutMs,
        resetTimeoutOnProgress: true,
        onprogress,
      });
    } catch (error) {
      if (this.child.exited) throw new McpError(ErrorCode.InternalError, this.child.describeExit());
      if (error instanceof McpError) throw relayedError(error);
      throw error;
    }
  }

  private followListChanges(): void {
    const broadcast = (send: (server: Server) => Promise<void>) => () => {
      for (const server of this.sessions) send(server).catch(() => {});
    };
    this.client.setNotificationHandler(
      ToolListChangedNotificationSchema,
      broadcast((s) => s.sendToolListChanged()),
    );
    this.client.setNotificationHandler(
      ResourceListChangedNotificationSchema,
      broadcast((s) => s.sendResourceListChanged()),
    );
    this.client.setNotificationHandler(
      PromptListChangedNotificationSchema,
      broadcast((s) => s.sendPromptListChanged()),
    );
  }

  /** End the stdio server (its whole process group). */
  async close(): Promise<void> {
    await this.client.close().catch(() => {});
    await this.child.close();
  }
}
