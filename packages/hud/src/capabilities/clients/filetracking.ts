// FileTrackingClient: call a `filetracking/1` server (setup, advance, snapshot, diff, flush) over NDJSON JSON-RPC.
import { ErrorCode, errorMessage, HudError, RpcError } from "../../protocol/errors.ts";
import { isObject } from "../../protocol/jsonrpc.ts";
import { CallTimeoutError, RpcConnection } from "../../protocol/rpc-connection.ts";
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

function checkDiff(method: string, value: unknown): DiffResult {
  if (!isObject(value) || !Array.isArray(value.patches) || typeof value.files_changed !== "number") {
    throw new RpcError(ErrorCode.InternalError, `filetracking ${method}: reply is not a DiffResult`);
  }
  return value as unknown as DiffResult;
}

export class FileTrackingClient {
  readonly url: string;
  private readonly connection: RpcConnection;
  private readonly timeout: number;

  private constructor(url: string, connection: RpcConnection, options: FileTrackingClientOptions) {
    this.url = url;
    this.connection = connection;
    this.timeout = options.timeout ?? 60;
  }

  /** Connect to a `filetracking/1` capability (use the runner's routed binding) or a `tcp://host:port` url. */
  static async connect(
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
      throw new HudError(`filetracking: invalid url '${url}': ${(error as Error).message}`);
    }
    if (!port) throw new HudError(`filetracking: url '${url}' has no port`);
    try {
      const connection = await RpcConnection.open(
        { host, port },
        {
          maxFrameBytes: options.maxFrameBytes ?? FILETRACKING_LIMITS.clientMaxFrameBytes,
          timeout: options.connectTimeout,
        },
      );
      return new FileTrackingClient(url, connection, options);
    } catch (error) {
      throw new HudError(`filetracking: cannot connect to ${url}: ${errorMessage(error)}`);
    }
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
  async call<M extends FileTrackingMethod>(
    method: M,
    options: { timeout?: number } = {},
  ): Promise<ResultOf[M]> {
    const timeout = options.timeout ?? this.timeout;
    try {
      return (await this.connection.call(method, {}, { timeout })) as ResultOf[M];
    } catch (error) {
      if (RpcError.is(error)) throw error;
      if (error instanceof CallTimeoutError) {
        throw new HudError(`filetracking '${method}' got no reply within ${timeout}s`);
      }
      throw new HudError(`filetracking ${this.url}: ${errorMessage(error)}`);
    }
  }

  /** Drop the connection; pending and later calls fail. */
  abort(): void {
    this.connection.abort();
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}
