// FileTrackingClient: call a `filetracking/1` server (setup, advance, snapshot, diff, flush) over NDJSON JSON-RPC.
import { connect as netConnect, type Socket } from "node:net";
import { ErrorCode, HudError, RpcError } from "../../protocol/errors.ts";
import { encodeFrame, FrameReader } from "../../protocol/framing.ts";
import { isObject, type JsonObject, parseJsonLine } from "../../protocol/jsonrpc.ts";
import type { Capability } from "../capability.ts";
import { splitUrl } from "../url.ts";
import {
  type DiffResult,
  FILETRACKING_LIMITS,
  type FileTrackingMethod,
  type FlushResult,
  type ResultOf,
  type SnapshotResult,
} from "./filetracking-wire.ts";

export interface FileTrackingClientOptions {
  /** Seconds to wait for each reply (default 60: a scan of a large tree takes a while). */
  timeout?: number;
  /** Seconds to wait for the connection (default 10). */
  connectTimeout?: number;
  /** Largest reply frame (default 160 MiB: a full diff plus a capture). */
  maxFrameBytes?: number;
}

type Pending = { resolve: (frame: JsonObject) => void; reject: (error: Error) => void };

function checkDiff(method: string, value: unknown): DiffResult {
  if (!isObject(value) || !Array.isArray(value.patches) || typeof value.files_changed !== "number") {
    throw new RpcError(ErrorCode.InternalError, `filetracking ${method}: reply is not a DiffResult`);
  }
  return value as unknown as DiffResult;
}

export class FileTrackingClient {
  readonly url: string;
  private readonly socket: Socket;
  private readonly reader: FrameReader;
  private readonly timeout: number;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private pending: Pending | undefined;
  private failure: Error | undefined;

  private constructor(url: string, socket: Socket, options: FileTrackingClientOptions) {
    this.url = url;
    this.socket = socket;
    this.reader = new FrameReader(options.maxFrameBytes ?? FILETRACKING_LIMITS.clientMaxFrameBytes);
    this.timeout = options.timeout ?? 60;
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    socket.on("error", (error) => this.fail(new HudError(`filetracking ${url}: ${error.message}`)));
    socket.on("close", () => this.fail(new HudError(`filetracking ${url} closed the connection`)));
  }

  /** Connect to a `filetracking/1` capability (use the runner's routed binding) or a `tcp://host:port` url. */
  static connect(
    target: Capability | string,
    options: FileTrackingClientOptions = {},
  ): Promise<FileTrackingClient> {
    const url = typeof target === "string" ? target : target.url;
    let host: string;
    let port: number | undefined;
    try {
      const parts = splitUrl(url.includes("://") ? url : `tcp://${url}`);
      host = parts.hostname;
      port = parts.port;
    } catch (error) {
      return Promise.reject(new HudError(`filetracking: invalid url '${url}': ${(error as Error).message}`));
    }
    if (!port) return Promise.reject(new HudError(`filetracking: url '${url}' has no port`));
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host, port });
      const timer = setTimeout(
        () => socket.destroy(new Error(`connect timed out after ${options.connectTimeout ?? 10}s`)),
        (options.connectTimeout ?? 10) * 1000,
      );
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(new HudError(`filetracking: cannot connect to ${url}: ${error.message}`));
      });
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(new FileTrackingClient(url, socket, options));
      });
    });
  }

  /** Diff since the server's baseline, then start a session (servers publishing `setup_diff: true`). */
  async setup(options?: { timeout?: number }): Promise<DiffResult> {
    return checkDiff("setup", await this.call("setup", options));
  }

  /** Re-baseline without a diff (servers without `setup_diff`). */
  advance(options?: { timeout?: number }): Promise<{ advanced: true }> {
    return this.call("advance", options);
  }

  async snapshot(options?: { timeout?: number }): Promise<SnapshotResult> {
    const result = await this.call("snapshot", options);
    if (!Array.isArray(result.files)) {
      throw new RpcError(ErrorCode.InternalError, "filetracking snapshot: reply has no 'files' list");
    }
    return result;
  }

  /** Changes since the previous sample. */
  async diff(options?: { timeout?: number }): Promise<DiffResult> {
    return checkDiff("diff", await this.call("diff", options));
  }

  /** The last diff and a capture of the documents the session produced. */
  async flush(options?: { timeout?: number }): Promise<FlushResult> {
    const result = await this.call("flush", options);
    checkDiff("flush", result.diff);
    if (!isObject(result.capture)) {
      throw new RpcError(ErrorCode.InternalError, "filetracking flush: reply has no 'capture'");
    }
    return result;
  }

  /** Call a method (params are always `{}`); calls run one at a time, in order. */
  call<M extends FileTrackingMethod>(method: M, options: { timeout?: number } = {}): Promise<ResultOf[M]> {
    const run = this.queue.then(() => this.send(method, options.timeout ?? this.timeout));
    this.queue = run.catch(() => {});
    return run as Promise<ResultOf[M]>;
  }

  private send(method: string, timeout: number): Promise<JsonObject> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<JsonObject>((resolve, reject) => {
      // A late reply could not be matched to its call: a timeout ends the connection.
      const timer = setTimeout(
        () => this.abort(new HudError(`filetracking '${method}' got no reply within ${timeout}s`)),
        timeout * 1000,
      );
      this.pending = {
        resolve: (frame) => {
          clearTimeout(timer);
          this.pending = undefined;
          if (frame.id !== id && !(frame.id === null && isObject(frame.error))) {
            const error = new HudError(
              `filetracking ${this.url} answered request ${String(frame.id)}, not ${id}`,
            );
            this.abort(error);
            reject(error);
          } else if (isObject(frame.error)) {
            const { code, message, data } = frame.error;
            reject(
              new RpcError(
                typeof code === "number" ? code : ErrorCode.ServerError,
                String(message ?? ""),
                data,
              ),
            );
          } else if (!isObject(frame.result)) {
            reject(
              new RpcError(ErrorCode.InternalError, `filetracking '${method}': result is not an object`),
            );
          } else resolve(frame.result);
        },
        reject: (error) => {
          clearTimeout(timer);
          this.pending = undefined;
          reject(error);
        },
      };
      this.socket.write(encodeFrame({ jsonrpc: "2.0", id, method, params: {} }));
    });
  }

  private onData(chunk: Buffer): void {
    this.reader.push(chunk);
    for (;;) {
      const next = this.reader.next();
      if (!next) return;
      if (next.kind === "oversize") {
        this.abort(
          new HudError(`filetracking ${this.url} sent a frame over the ${this.reader.maxBytes}-byte limit`),
        );
        return;
      }
      let frame: JsonObject;
      try {
        frame = parseJsonLine(next.line);
      } catch (error) {
        this.abort(
          new HudError(`filetracking ${this.url} sent a malformed frame: ${(error as Error).message}`),
        );
        return;
      }
      if (!this.pending) {
        this.abort(new HudError(`filetracking ${this.url} sent a frame nobody asked for`));
        return;
      }
      this.pending.resolve(frame);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    this.pending?.reject(this.failure);
  }

  /** Drop the connection; pending and later calls fail. */
  abort(error: Error = new HudError("filetracking connection closed")): void {
    this.fail(error);
    this.socket.destroy();
  }

  async close(): Promise<void> {
    if (!this.failure) this.fail(new HudError("filetracking connection closed"));
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.socket.destroy(), 1000);
      this.socket.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.end();
    });
  }
}
