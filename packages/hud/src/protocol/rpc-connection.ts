// One NDJSON JSON-RPC connection, caller side: serialized calls, id correlation, a reply timeout on every call.
// The control channel's client and capability clients that speak NDJSON (file tracking) both use it.
import { type NetConnectOpts, connect as netConnect, type Socket } from "node:net";
import { ErrorCode, HudError, RpcError } from "./errors.ts";
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame, FrameReader } from "./framing.ts";
import { isObject, type JsonObject, parseJsonLine } from "./jsonrpc.ts";
import type { MethodName, ResultOf } from "./methods.ts";

/** Where a control channel listens: a TCP host and port, or a unix socket path. */
export type Address = { host: string; port: number } | { path: string };

/** `host:port`, or the socket path: for messages. */
export function describeAddress(address: Address): string {
  return "path" in address ? address.path : `${address.host}:${address.port}`;
}

/** Connection options for `net.connect` (other keys passed through). */
export function dialOptions<T extends object>(address: Address, extra: T): NetConnectOpts & T {
  return "path" in address
    ? { ...extra, path: address.path }
    : { ...extra, host: address.host, port: address.port, noDelay: true };
}

export interface CallOptions {
  /** Seconds to wait for the reply; on expiry the connection is aborted (a late reply could not be matched). */
  timeout?: number;
}

/** The call waiting for its reply. */
interface Pending {
  method: string;
  id: number;
  resolve: (result: JsonObject) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Thrown when the peer closes the connection (or it is reset) — retryable during readiness. */
export class ConnectionClosedError extends HudError {
  constructor(message: string) {
    super(message);
    this.name = "ConnectionClosedError";
  }
}

export class CallTimeoutError extends HudError {
  constructor(message: string) {
    super(message);
    this.name = "CallTimeoutError";
  }
}

export class RpcConnection {
  readonly address: Address;
  private readonly socket: Socket;
  private readonly reader: FrameReader;
  private nextId = 1;
  /** Calls waiting for the one in flight to finish, oldest first. */
  private readonly backlog: (() => void)[] = [];
  private pending: Pending | undefined;
  private failure: Error | undefined;

  private constructor(socket: Socket, address: Address, maxFrameBytes: number) {
    this.socket = socket;
    this.address = address;
    this.reader = new FrameReader(maxFrameBytes);
    // Keep-alive notices a peer host that vanished; a unix socket's peer is on this host.
    if (!("path" in address)) socket.setKeepAlive(true, 30_000);
    socket.on("data", (chunk: Buffer) => this.onData(chunk));
    // Only the first failure counts; not making the others saves a stack capture per closed connection.
    socket.on("error", (error) => {
      if (!this.failure)
        this.fail(new ConnectionClosedError(`connection to ${this.where} failed: ${error.message}`));
    });
    socket.on("close", () => {
      if (!this.failure) this.fail(new ConnectionClosedError(`${this.where} closed the connection`));
    });
  }

  /** Open a connection (no handshake). Rejects with the socket error, e.g. ECONNREFUSED. */
  static open(
    address: Address,
    options: { maxFrameBytes?: number; timeout?: number } = {},
  ): Promise<RpcConnection> {
    return new Promise((resolve, reject) => {
      const socket = netConnect(dialOptions(address, {}));
      const timer = setTimeout(
        () => {
          // A code like the kernel's own timeout, so readiness loops retry it like a refusal.
          const error = Object.assign(new Error(`connect timed out after ${options.timeout ?? 10}s`), {
            code: "ETIMEDOUT",
          });
          socket.destroy(error);
        },
        (options.timeout ?? 10) * 1000,
      );
      socket.once("error", (error) => {
        clearTimeout(timer);
        reject(error);
      });
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.removeAllListeners("error");
        resolve(new RpcConnection(socket, address, options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES));
      });
    });
  }

  get where(): string {
    return describeAddress(this.address);
  }

  /** A call is waiting for its reply (a new call would queue behind it). */
  get busy(): boolean {
    return this.pending !== undefined;
  }

  get closed(): boolean {
    return this.failure !== undefined;
  }

  /** Call a method; calls on one connection run one at a time, in order. */
  call<M extends MethodName>(method: M, params: JsonObject, options?: CallOptions): Promise<ResultOf<M>>;
  call(method: string, params: JsonObject, options?: CallOptions): Promise<JsonObject>;
  call(method: string, params: JsonObject, options: CallOptions = {}): Promise<JsonObject> {
    const timeout = options.timeout ?? 30;
    return new Promise<JsonObject>((resolve, reject) => {
      if (this.pending === undefined && this.backlog.length === 0)
        this.send(method, params, timeout, resolve, reject);
      else this.backlog.push(() => this.send(method, params, timeout, resolve, reject));
    });
  }

  /** Send one call now; when it settles, the next waiting call goes. */
  private send(
    method: string,
    params: JsonObject,
    timeout: number,
    resolve: (result: JsonObject) => void,
    reject: (error: Error) => void,
  ): void {
    if (this.failure) {
      reject(this.failure);
      this.backlog.shift()?.();
      return;
    }
    const id = this.nextId++;
    const timer = setTimeout(this.expire, timeout * 1000, method, timeout);
    this.pending = { method, id, resolve, reject, timer };
    this.socket.write(encodeFrame({ jsonrpc: "2.0", id, method, params }));
  }

  /** No reply in time: the connection is aborted (a late reply could not be matched). */
  private readonly expire = (method: string, timeout: number): void => {
    this.abort(new CallTimeoutError(`'${method}' got no reply from ${this.where} within ${timeout}s`));
  };

  /** The reply to the pending call arrived. */
  private answer(frame: JsonObject): void {
    const call = this.pending!;
    this.pending = undefined;
    clearTimeout(call.timer);
    try {
      call.resolve(this.unpack(call.method, call.id, frame));
    } catch (error) {
      call.reject(error as Error);
    }
    this.backlog.shift()?.();
  }

  private unpack(method: string, id: number, frame: JsonObject): JsonObject {
    if (frame.id !== id) {
      // An error with a null id is the server refusing a frame it could not read (too large, not JSON):
      // its reason beats "id mismatch". Either way the connection is done.
      const error =
        frame.id === null && isObject(frame.error)
          ? toRpcError(frame.error)
          : new RpcError(ErrorCode.InternalError, `'${method}': reply id did not match request`);
      this.abort(error);
      throw error;
    }
    if (frame.error !== undefined) throw toRpcError(isObject(frame.error) ? frame.error : {});
    if (!isObject(frame.result))
      throw new RpcError(ErrorCode.InternalError, `'${method}': result was not an object`);
    return frame.result;
  }

  private onData(chunk: Buffer): void {
    this.reader.push(chunk);
    for (;;) {
      const next = this.reader.next();
      if (!next) return;
      if (next.kind === "oversize") {
        this.abort(new HudError(`${this.where} sent a frame over the ${this.reader.maxBytes}-byte limit`));
        return;
      }
      let frame: JsonObject;
      try {
        frame = parseJsonLine(next.line);
      } catch (error) {
        this.abort(new HudError(`${this.where} sent a malformed frame: ${(error as Error).message}`));
        return;
      }
      if (!this.pending) {
        this.abort(new HudError(`${this.where} sent a frame nobody asked for`));
        return;
      }
      this.answer(frame);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    const call = this.pending;
    if (!call) return;
    this.pending = undefined;
    clearTimeout(call.timer);
    const failure = this.failure;
    call.reject(
      failure instanceof ConnectionClosedError
        ? new ConnectionClosedError(`env closed connection during '${call.method}' (${failure.message})`)
        : failure,
    );
    this.backlog.shift()?.();
  }

  /** Close the transport immediately; pending and later calls fail with `error`. */
  abort(error: Error = closedByUs()): void {
    this.fail(error);
    this.socket.destroy();
  }

  /**
   * Close the transport and wait until it is closed. Nothing is in flight (a pending call fails), so there is
   * nothing to drain: the peer reads EOF, as after a half-close, without a shutdown and a wait for its reply.
   */
  async close(): Promise<void> {
    if (!this.failure) this.fail(closedByUs());
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.destroy();
    });
  }
}

let closed: ConnectionClosedError | undefined;

/** The error of calls made after we closed a connection: one shared instance (an Error per close is costly). */
function closedByUs(): ConnectionClosedError {
  closed ??= new ConnectionClosedError("connection closed");
  return closed;
}

function toRpcError(detail: JsonObject): RpcError {
  const code = typeof detail.code === "number" ? detail.code : ErrorCode.ServerError;
  return new RpcError(
    code,
    typeof detail.message === "string" ? detail.message : String(detail.message ?? ""),
    detail.data,
  );
}
