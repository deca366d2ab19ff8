// HudClient and connect(): the runner's side of the control channel, with loopback forwarders per binding.
import { setTimeout as sleep } from "node:timers/promises";
import { Capability, capabilityAddress, matchesRef } from "../capabilities/capability.ts";
import type { CapabilityClient } from "../capabilities/clients/registry.ts";
import { joinUrl, splitUrl } from "../capabilities/url.ts";
import { HudError, RpcError } from "../protocol/errors.ts";
import type { JsonObject } from "../protocol/jsonrpc.ts";
import type { GradeFrame, HelloResult, ManifestEntry, PromptFrame } from "../protocol/methods.ts";
import {
  type Address,
  type CallOptions,
  CallTimeoutError,
  ConnectionClosedError,
  RpcConnection,
} from "../protocol/rpc-connection.ts";
import { Forwarder } from "./forwarder.ts";
import { CapabilityClients, type ClientKind } from "./open-capability.ts";

export interface ConnectOptions {
  /** Seconds to keep retrying until the server answers `hello` (default 60). */
  readyTimeout?: number;
  /** Seconds to wait for replies to quick calls (hello, tasks.list, cancel, bye; default 30). */
  replyTimeout?: number;
  /** Seconds to wait for tasks.start / tasks.grade / tasks.solve replies (default 1800: graders may run test suites). */
  taskTimeout?: number;
  /** Shared secret for servers started with a token. */
  authToken?: string;
  /** Resume this parked session instead of opening a new one. */
  sessionId?: string;
  /** Start loopback forwarders for bindings (default true). */
  forwarders?: boolean;
  /** Largest accepted frame in bytes (default 16 MiB). */
  maxFrameBytes?: number;
  /** Warnings from forwarders (default: process warning). */
  onWarning?: (message: string) => void;
  /**
   * What one server instance said in `hello`, shared by the connections made to it (a `Shared` substrate
   * passes one along with each lease, see HELLO_MEMO). Once it holds a reply, a connection without
   * `sessionId` or `authToken` skips the `hello` round trip: its first request opens the session, as the
   * control channel allows. The first connection to the instance says hello and fills it.
   */
  helloMemo?: HelloMemo;
}

export interface HelloMemo {
  hello?: HelloResult;
}

/** The `Lease.params` key under which a placement passes a HelloMemo for its server instance. */
export const HELLO_MEMO: unique symbol = Symbol.for("hud.helloMemo");

/** The HelloMemo a lease's params carry, if any. */
export function helloMemoOf(params: object | undefined): HelloMemo | undefined {
  const memo = (params as { [HELLO_MEMO]?: unknown } | undefined)?.[HELLO_MEMO];
  return typeof memo === "object" && memo !== null ? (memo as HelloMemo) : undefined;
}

/**
 * Parse `tcp://host:port` (or `host:port`), or `unix:///absolute/path` for a server on a unix socket, into an
 * address, with one clear error otherwise.
 */
export function parseControlUrl(url: string, defaultPort?: number): Address {
  if (url.startsWith("unix:")) {
    const path = url.startsWith("unix://") ? url.slice("unix://".length) : "";
    if (!path.startsWith("/"))
      throw new HudError(`control url '${url}' needs an absolute socket path (unix:///path/to/socket)`);
    return { path };
  }
  const text = url.includes("://") ? url : `tcp://${url}`;
  let parts: ReturnType<typeof splitUrl>;
  try {
    parts = splitUrl(text);
  } catch (error) {
    throw new HudError(`invalid control url '${url}': ${(error as Error).message}`);
  }
  if (parts.scheme !== "tcp") {
    throw new HudError(
      `control transport '${parts.scheme}' is not supported (use tcp://host:port or unix:///path/to/socket)`,
    );
  }
  const port = parts.port ?? defaultPort;
  if (port === undefined || port === 0)
    throw new HudError(`control url '${url}' has no port (use tcp://host:port)`);
  return { host: parts.hostname, port };
}

export class HudClient implements AsyncDisposable {
  readonly url: string;
  readonly address: Address;
  private connection: RpcConnection;
  private readonly options: ConnectOptions;
  private forwarders = new Map<string, { url: string; forwarder: Forwarder }>();
  private hello_: HelloResult | undefined;
  /** The session id is this connection's own (false when `hello` was skipped for a memo). */
  private ownHello = false;
  private readonly capabilityClients = new CapabilityClients();
  private closed = false;

  private constructor(url: string, address: Address, connection: RpcConnection, options: ConnectOptions) {
    this.url = url;
    this.address = address;
    this.connection = connection;
    this.options = options;
  }

  /** @internal used by connect() */
  static attach(
    url: string,
    address: Address,
    connection: RpcConnection,
    options: ConnectOptions,
  ): HudClient {
    return new HudClient(url, address, connection, options);
  }

  /** A call is in flight; further calls queue behind it (calls are serialized). */
  get busy(): boolean {
    return this.connection.busy;
  }

  /** This connection's session id (unknown when `hello` was skipped, see ConnectOptions.helloMemo). */
  get sessionId(): string | undefined {
    return this.ownHello ? this.hello_?.session_id : undefined;
  }

  get env(): { name: string; version: string } | undefined {
    return this.hello_?.env;
  }

  /** The bindings exactly as the environment published them (env-internal urls). */
  get manifestBindings(): Capability[] {
    return (this.hello_?.bindings ?? []).map((b) => Capability.fromManifest(b));
  }

  /** The bindings with urls rewritten to the local forwarders. */
  get bindings(): Capability[] {
    return this.manifestBindings.map((cap) => this.route(cap));
  }

  private quick(): { timeout: number } {
    return { timeout: this.options.replyTimeout ?? 30 };
  }

  private slow(): { timeout: number } {
    return { timeout: this.options.taskTimeout ?? 1800 };
  }

  async hello(sessionId?: string, options?: CallOptions): Promise<HelloResult> {
    const params: JsonObject = sessionId === undefined ? {} : { session_id: sessionId };
    if (this.options.authToken !== undefined) params.auth_token = this.options.authToken;
    const result = await this.connection.call("hello", params, options ?? this.quick());
    if (typeof result.session_id !== "string" || !Array.isArray(result.bindings)) {
      throw new RpcError(-32603, "hello: reply must have 'session_id' and 'bindings'");
    }
    this.hello_ = result;
    this.ownHello = true;
    await this.syncForwarders();
    return result;
  }

  /** Take an earlier connection's `hello` reply for this server instead of asking (see helloMemo). */
  async adopt(hello: HelloResult): Promise<void> {
    this.hello_ = hello;
    this.ownHello = false;
    await this.syncForwarders();
  }

  async listTasks(): Promise<ManifestEntry[]> {
    const result = await this.connection.call("tasks.list", {}, this.quick());
    const tasks = result.tasks ?? [];
    if (!Array.isArray(tasks)) throw new RpcError(-32603, "tasks.list: 'tasks' must be a list");
    return tasks;
  }

  startTask(id: string, args: JsonObject = {}): Promise<PromptFrame> {
    return this.connection.call("tasks.start", { id, args }, this.slow());
  }

  /** Grade the session's task; `payload` is sent verbatim (normally `{ answer }`). */
  async grade(payload: JsonObject = { answer: null }): Promise<GradeFrame> {
    const frame = await this.connection.call("tasks.grade", payload, this.slow());
    if (typeof frame.score !== "number") {
      throw new RpcError(-32603, "tasks.grade: result must include a numeric 'score'");
    }
    return frame;
  }

  /** Ask the environment to run the task's reference solution (`tasks.solve`). */
  async solve(): Promise<unknown> {
    const result = await this.connection.call("tasks.solve", {}, this.slow());
    return result.answer;
  }

  async cancel(): Promise<void> {
    await this.connection.call("tasks.cancel", {}, this.quick());
  }

  /** End the session explicitly: its task is cancelled instead of parked. */
  async bye(): Promise<void> {
    await this.connection.call("bye", {}, this.quick());
  }

  /** A binding by name, full protocol, or protocol family, with its url routed through the local forwarder. */
  /**
   * A connected client for a binding (ssh/2 → SshClient, mcp → McpClient, …), reached through its forwarder;
   * cached per capability name and closed with this client.
   */
  open(ref: string): Promise<CapabilityClient>;
  open<C extends CapabilityClient>(ref: string, kind: ClientKind<C>): Promise<C>;
  async open<C extends CapabilityClient>(ref: string, kind?: ClientKind<C>): Promise<CapabilityClient> {
    const capability = this.binding(ref);
    return kind ? this.capabilityClients.open(capability, kind) : this.capabilityClients.open(capability);
  }

  binding(ref: string): Capability {
    if (!this.hello_) throw new HudError("binding(): call hello() first");
    const matches = this.manifestBindings.filter((cap) => matchesRef(cap, ref));
    if (matches.length === 1) return this.route(matches[0]!);
    const all = this.manifestBindings;
    if (matches.length > 1) {
      throw new HudError(
        `ambiguous capability '${ref}': ${matches.map((c) => `${c.name} (${c.protocol})`).join(", ")}`,
      );
    }
    const available = all.map((c) => `${c.name} (${c.protocol})`).join(", ") || "<none>";
    throw new HudError(`no capability '${ref}' (available: ${available})`);
  }

  private route(cap: Capability): Capability {
    const entry = this.forwarders.get(cap.name);
    if (!entry || entry.url !== cap.url) return cap;
    const parts = splitUrl(cap.url);
    parts.hostname = "127.0.0.1";
    parts.port = entry.forwarder.port;
    parts.userinfo = parts.userinfo.split(":", 1)[0]!;
    return cap.with({ url: joinUrl(parts) });
  }

  /** Keep one forwarder per tunnelable binding; unchanged bindings keep theirs (open streams survive). */
  private async syncForwarders(): Promise<void> {
    if (this.options.forwarders === false) return;
    if (this.forwarders.size === 0 && this.hello_?.bindings.length === 0) return;
    const wanted = new Map(this.manifestBindings.filter((c) => capabilityAddress(c)).map((c) => [c.name, c]));
    for (const [name, entry] of this.forwarders) {
      if (wanted.get(name)?.url !== entry.url) {
        this.forwarders.delete(name);
        await entry.forwarder.close();
      }
    }
    for (const [name, cap] of wanted) {
      if (this.forwarders.has(name)) continue;
      const forwarder = await Forwarder.start(this.address, name, {
        authToken: this.options.authToken,
        onError: this.options.onWarning ?? ((message) => process.emitWarning(message)),
      });
      this.forwarders.set(name, { url: cap.url, forwarder });
    }
  }

  /** Close forwarders and the connection without `bye`: the server parks a suspended task. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.capabilityClients.closeAll();
    if (this.forwarders.size > 0) {
      const forwarders = [...this.forwarders.values()];
      this.forwarders.clear();
      await Promise.allSettled(forwarders.map((f) => f.forwarder.close()));
    }
    await this.connection.close();
  }

  /** Drop the transport immediately. */
  abort(): void {
    this.closed = true;
    void this.capabilityClients.closeAll();
    for (const { forwarder } of this.forwarders.values()) void forwarder.close();
    this.forwarders.clear();
    this.connection.abort();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Connect to a served environment and say hello. Retries refused connections, peers that close before
 * answering, and silent peers, until `readyTimeout`; an error reply is final.
 */
export async function connect(url: string, options: ConnectOptions = {}): Promise<HudClient> {
  const address = parseControlUrl(url);
  const readyTimeout = options.readyTimeout ?? 60;
  if (!(Number.isFinite(readyTimeout) && readyTimeout > 0)) {
    throw new HudError(`readyTimeout must be a positive number of seconds (got ${readyTimeout})`);
  }
  const memo = options.helloMemo;
  const known = options.sessionId === undefined && options.authToken === undefined ? memo?.hello : undefined;
  if (known) {
    // The instance answered before: nothing to wait for, and nothing to ask.
    const connection = await RpcConnection.open(address, { maxFrameBytes: options.maxFrameBytes });
    const client = HudClient.attach(url, address, connection, options);
    await client.adopt(known);
    return client;
  }
  const deadline = Date.now() + readyTimeout * 1000;
  let lastError: unknown;
  for (let attempt = 0; ; attempt++) {
    const remaining = (deadline - Date.now()) / 1000;
    if (remaining <= 0) break;
    let connection: RpcConnection | undefined;
    try {
      connection = await RpcConnection.open(address, {
        maxFrameBytes: options.maxFrameBytes,
        timeout: Math.min(remaining, 10),
      });
      const client = HudClient.attach(url, address, connection, options);
      const hello = await client.hello(options.sessionId, {
        timeout: Math.min(options.replyTimeout ?? 30, Math.max(remaining, 0.05)),
      });
      if (memo && options.sessionId === undefined) memo.hello = hello;
      return client;
    } catch (error) {
      connection?.abort();
      if (!isRetryable(error)) throw error;
      lastError = error;
    }
    await sleep(Math.min(250 * 2 ** Math.min(attempt, 2), Math.max(0, deadline - Date.now())));
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new HudError(`environment at ${url} not ready after ${readyTimeout}s: ${reason}`);
}

function isRetryable(error: unknown): boolean {
  if (error instanceof ConnectionClosedError || error instanceof CallTimeoutError) return true;
  const code = (error as { code?: unknown })?.code;
  return (
    typeof code === "string" &&
    // ENOENT: a unix socket the server has not made yet (or any more).
    ["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH", "ENOENT"].includes(code)
  );
}
