// The container engine's HTTP API (Docker's, which Podman also serves) over a unix socket or TCP, with bounded replies.
import { existsSync } from "node:fs";
import { Agent, type IncomingMessage, request } from "node:http";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { HudError } from "../../protocol/errors.ts";

/** Where the engine listens: a unix socket path, or a TCP host and port. */
export type EngineAddress = { socketPath: string } | { host: string; port: number };

/** Docker's API version whose paths and fields both Docker and Podman's compat API serve. */
const API = "/v1.41";
const DEFAULT_SOCKETS = ["/var/run/docker.sock", "/run/podman/podman.sock"];
const MAX_REPLY_BYTES = 8 * 1024 * 1024;

/**
 * `DOCKER_HOST` (`unix:///path` or `tcp://host:port`) when set; otherwise the first default socket that exists
 * (Docker's, then Podman's, then rootless Podman's), or Docker's for the error message.
 */
export function engineAddress(dockerHost = process.env.DOCKER_HOST): EngineAddress {
  if (dockerHost) {
    if (dockerHost.startsWith("unix://")) return { socketPath: dockerHost.slice("unix://".length) };
    const tcp = /^(?:tcp|http):\/\/\[?([^\]/]+?)\]?:(\d+)\/?$/.exec(dockerHost);
    if (tcp) return { host: tcp[1]!, port: Number(tcp[2]) };
    throw new HudError(
      `DOCKER_HOST='${dockerHost}' is not supported: use unix:///path/to/socket or tcp://host:port (TLS is not supported)`,
    );
  }
  const candidates = [...DEFAULT_SOCKETS];
  if (process.env.XDG_RUNTIME_DIR) candidates.push(`${process.env.XDG_RUNTIME_DIR}/podman/podman.sock`);
  return { socketPath: candidates.find((path) => existsSync(path)) ?? DEFAULT_SOCKETS[0]! };
}

export function describeAddress(address: EngineAddress): string {
  return "socketPath" in address ? address.socketPath : `tcp://${address.host}:${address.port}`;
}

export interface EngineRequest {
  method?: "GET" | "POST" | "DELETE";
  /** Path under the API version, e.g. `/containers/create`; query parameters are added from `query`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** A JSON body, or a stream sent as-is (with `contentType`). */
  body?: unknown;
  contentType?: string;
  /** Seconds of silence after which the request is abandoned (default 60; 0 = never, for streams). */
  timeout?: number;
  signal?: AbortSignal;
  /** Largest reply kept (default 8 MiB); the rest is an error, so a runaway reply cannot fill memory. */
  maxBytes?: number;
  /** Receive a 2xx reply's body as it arrives (e.g. build output) instead of buffering it. */
  onData?: (chunk: Buffer) => void;
}

export interface EngineReply {
  status: number;
  body: Buffer;
}

export class EngineClient {
  readonly address: EngineAddress;
  /** Kept-alive connections, reused across calls (idle ones are unreferenced: they never hold the process open). */
  private readonly agent = new Agent({ keepAlive: true });

  constructor(address: EngineAddress = engineAddress()) {
    this.address = address;
  }

  /** One request, its reply buffered (up to `maxBytes`); transport failures become one line naming the engine. */
  async send(options: EngineRequest): Promise<EngineReply> {
    const maxBytes = options.maxBytes ?? MAX_REPLY_BYTES;
    const res = await this.open(options, this.agent);
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const ok = res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode <= 299;
      res.on("data", (chunk: Buffer) => {
        if (ok && options.onData) {
          options.onData(chunk);
          return;
        }
        size += chunk.length;
        if (size > maxBytes) {
          res.destroy(new HudError(`container engine reply to ${options.path} exceeds ${maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on("error", (error) => reject(this.transportError(error)));
      res.on("close", () => {
        if (!res.complete) reject(new HudError(`container engine closed ${options.path} mid-reply`));
      });
    });
  }

  /**
   * A streaming reply (e.g. `/events`) once its headers arrive; the caller reads and destroys it. It has a
   * connection of its own, so a long stream never occupies a pooled one.
   */
  async stream(options: EngineRequest): Promise<IncomingMessage> {
    const res = await this.open({ ...options, timeout: options.timeout ?? 0 }, false);
    if (res.statusCode === 200) return res;
    res.destroy();
    throw new EngineError(options, { status: res.statusCode ?? 0, body: Buffer.alloc(0) });
  }

  private open(options: EngineRequest, agent: Agent | false): Promise<IncomingMessage> {
    const { method = "GET", body, timeout = 60 } = options;
    const streamed = isReadable(body);
    const payload = body === undefined || streamed ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request({
        ...this.address,
        method,
        agent,
        path: `${API}${options.path}${queryString(options.query)}`,
        headers: {
          host: "docker",
          ...(body === undefined ? {} : { "content-type": options.contentType ?? "application/json" }),
          ...(payload ? { "content-length": payload.length } : {}),
        },
        timeout: timeout > 0 ? timeout * 1000 : undefined,
        signal: options.signal,
      });
      req.on("timeout", () =>
        req.destroy(
          new HudError(`container engine did not answer ${method} ${options.path} within ${timeout}s`),
        ),
      );
      req.on("error", (error) => reject(this.transportError(error)));
      req.on("response", resolve);
      // A body stream that fails (a file vanished) must fail the request, not leave it waiting for more.
      if (streamed) {
        pipeline(body, req).catch((error: Error) =>
          req.destroy(new HudError(`sending ${method} ${options.path}: ${error.message}`)),
        );
      } else req.end(payload);
    });
  }

  /** A request whose reply must be 2xx; returns the parsed JSON body (undefined when empty). */
  async call<T = unknown>(options: EngineRequest): Promise<T> {
    const reply = await this.send(options);
    if (reply.status < 200 || reply.status > 299) throw new EngineError(options, reply);
    const text = reply.body.toString("utf8").trim();
    return (text === "" ? undefined : JSON.parse(text)) as T;
  }

  private transportError(error: Error): Error {
    if (HudError.is(error) || error.name === "AbortError") return error;
    const code = (error as { code?: string }).code;
    if (code === "ENOENT" || code === "ECONNREFUSED" || code === "EACCES") {
      const where = describeAddress(this.address);
      const why = code === "EACCES" ? " (permission denied)" : "";
      return new HudError(
        `no container engine at ${where}${why}: start Docker or \`podman system service\` and set DOCKER_HOST`,
      );
    }
    return new HudError(`container engine at ${describeAddress(this.address)}: ${error.message}`);
  }
}

/** A non-2xx reply: the engine's own message, plus the status for callers that branch on it (404). */
export class EngineError extends HudError {
  readonly status: number;
  /** The engine's message alone. */
  readonly reason: string;

  constructor(options: EngineRequest, reply: EngineReply) {
    const reason = reasonOf(reply);
    super(`container engine: ${options.method ?? "GET"} ${options.path} failed (${reply.status}): ${reason}`);
    this.status = reply.status;
    this.reason = reason;
  }
}

function reasonOf(reply: EngineReply): string {
  const text = reply.body.toString("utf8").trim();
  try {
    const message = (JSON.parse(text) as { message?: unknown }).message;
    if (typeof message === "string") return message;
  } catch {}
  return text.slice(0, 500) || "(no message)";
}

function queryString(query: EngineRequest["query"]): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined) params.set(key, String(value));
  }
  const text = params.toString();
  return text === "" ? "" : `?${text}`;
}

function isReadable(value: unknown): value is Readable {
  return typeof (value as Readable | undefined)?.pipe === "function";
}
