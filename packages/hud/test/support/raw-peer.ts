// A raw NDJSON peer for wire tests: writes exact bytes, reads frames or bytes with timeouts, observes EOF.
// Deliberately independent of the package's own client so tests check the wire, not our reading of it.
import { connect, type Socket } from "node:net";
import { expect } from "vitest";

export type Frame = { [key: string]: unknown };

const DEFAULT_TIMEOUT = 10;

export class RawPeer {
  readonly socket: Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private eof = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private nextId = 1;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on("data", (chunk: Buffer) => {
      this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
      this.notify();
    });
    socket.on("end", () => {
      this.eof = true;
      this.notify();
    });
    socket.on("error", (error) => {
      this.failure = error;
      this.notify();
    });
    socket.on("close", () => {
      this.eof = true;
      this.notify();
    });
  }

  /** Open a TCP connection (half-open allowed, so tests can end their side and keep reading). */
  static connect(port: number, host = "127.0.0.1"): Promise<RawPeer> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port, allowHalfOpen: true, noDelay: true });
      socket.once("error", reject);
      socket.once("connect", () => {
        socket.off("error", reject);
        resolve(new RawPeer(socket));
      });
    });
  }

  /** Send one message as a compact JSON line. */
  send(message: unknown): void {
    this.socket.write(`${JSON.stringify(message)}\n`);
  }

  /** Write exact bytes. */
  write(data: string | Buffer): Promise<void> {
    return new Promise((resolve, reject) =>
      this.socket.write(data, (error) => (error ? reject(error) : resolve())),
    );
  }

  /** Send a request with the next id and return the next frame read. */
  request(method: string, params?: Frame, timeout?: number): Promise<Frame> {
    const message: Frame = { jsonrpc: "2.0", id: this.nextId++, method };
    if (params !== undefined) message.params = params;
    this.send(message);
    return this.next(timeout);
  }

  /** Send a request and return its `result`; an error frame or a mismatched id throws. */
  async call(method: string, params?: Frame, timeout?: number): Promise<Frame> {
    const id = this.nextId;
    const frame = await this.request(method, params, timeout);
    if (frame.id !== id) throw new Error(`${method}: reply id ${JSON.stringify(frame.id)} != ${id}`);
    if (frame.error !== undefined) throw new Error(`${method}: error frame ${JSON.stringify(frame.error)}`);
    return frame.result as Frame;
  }

  /** The next frame; rejects on EOF or timeout. */
  async next(timeout = DEFAULT_TIMEOUT): Promise<Frame> {
    const frame = await this.nextOrEof(timeout);
    if (frame === "eof") throw new Error("connection closed while waiting for a frame");
    return frame;
  }

  /** The next frame, or "eof" when the server closed its side first. */
  async nextOrEof(timeout = DEFAULT_TIMEOUT): Promise<Frame | "eof"> {
    const line = await this.until(timeout, "a frame", () => {
      const at = this.buffer.indexOf(0x0a);
      if (at >= 0) {
        const out = this.buffer.subarray(0, at);
        this.buffer = this.buffer.subarray(at + 1);
        return out;
      }
      return this.eof ? "eof" : undefined;
    });
    return line === "eof" ? "eof" : (JSON.parse(line.toString("utf8")) as Frame);
  }

  /** The next line exactly as written (for byte-level wire checks). */
  async nextLine(timeout = DEFAULT_TIMEOUT): Promise<string> {
    const line = await this.until(timeout, "a line", () => {
      const at = this.buffer.indexOf(0x0a);
      if (at < 0) return this.eof ? "eof" : undefined;
      const out = this.buffer.subarray(0, at);
      this.buffer = this.buffer.subarray(at + 1);
      return out;
    });
    if (line === "eof") throw new Error("connection closed while waiting for a line");
    return line.toString("utf8");
  }

  /** Exactly `n` raw bytes (what follows a tunnel reply belongs to the stream). */
  async readBytes(n: number, timeout = DEFAULT_TIMEOUT): Promise<Buffer> {
    const out = await this.until(timeout, `${n} bytes`, () => {
      if (this.buffer.length >= n) {
        const bytes = this.buffer.subarray(0, n);
        this.buffer = this.buffer.subarray(n);
        return bytes;
      }
      return this.eof ? "eof" : undefined;
    });
    if (out === "eof") throw new Error(`connection closed after ${this.buffer.length} of ${n} bytes`);
    return out;
  }

  /** Everything until the server closes its side. */
  async readToEnd(timeout = DEFAULT_TIMEOUT): Promise<Buffer> {
    await this.until(timeout, "EOF", () => (this.eof ? "eof" : undefined));
    const rest = this.buffer;
    this.buffer = Buffer.alloc(0);
    return rest;
  }

  /** Resolve when the server has closed its side with nothing more to read; a frame instead is a failure. */
  async expectEof(timeout = DEFAULT_TIMEOUT): Promise<void> {
    const rest = await this.readToEnd(timeout);
    if (rest.length > 0)
      throw new Error(`expected EOF, got ${JSON.stringify(rest.toString("utf8").slice(0, 200))}`);
  }

  /** Bytes received and not yet read (e.g. a request the other side pipelined). */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Whether the server closed its side (EOF seen). */
  get ended(): boolean {
    return this.eof;
  }

  /** Half-close: end our writes, keep reading. */
  end(): void {
    this.socket.end();
  }

  /** Graceful close: FIN, then wait until both directions are done (so the server has seen the close). */
  close(timeout = 5): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.socket.destroy(), timeout * 1000);
      this.socket.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      this.socket.resume();
      this.socket.end();
    });
  }

  destroy(): void {
    this.socket.destroy();
  }

  private notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  private async until<T>(
    timeout: number,
    what: string,
    take: () => T | "eof" | undefined,
  ): Promise<Exclude<T, undefined> | "eof"> {
    const deadline = Date.now() + timeout * 1000;
    for (;;) {
      const value = take();
      if (value !== undefined) return value as Exclude<T, undefined> | "eof";
      if (this.failure && this.eof) throw this.failure;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out after ${timeout}s waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

/** The error of an error frame (the test fails with the frame when it is a success). */
export function errorOf(frame: Frame): { code: number; message: string } {
  expect(frame.result, `expected an error frame, got ${JSON.stringify(frame)}`).toBeUndefined();
  return frame.error as { code: number; message: string };
}
