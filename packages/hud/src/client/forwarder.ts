// A loopback forwarder for one binding: every local connection becomes a tunnel.open stream to the control address.
import { connect, createServer, type Server, type Socket } from "node:net";
import { encodeFrame, FrameReader } from "../protocol/framing.ts";
import { parseJsonLine } from "../protocol/jsonrpc.ts";
import { TUNNEL_OPEN } from "../protocol/methods.ts";
import { type Address, describeAddress, dialOptions } from "../protocol/rpc-connection.ts";
import { splice } from "../protocol/splice.ts";

/** The tunnel.open reply is small; anything bigger before the newline is not a tunnel reply. */
const MAX_REPLY_BYTES = 64 * 1024;

export interface ForwarderOptions {
  authToken?: string;
  /** Called with a one-line reason when a tunnel cannot be opened (the local socket is closed). */
  onError?: (message: string) => void;
}

export class Forwarder {
  readonly capability: string;
  readonly port: number;
  private readonly server: Server;
  private sockets = new Set<Socket>();

  private constructor(capability: string, server: Server, port: number) {
    this.capability = capability;
    this.server = server;
    this.port = port;
  }

  /** Listen on 127.0.0.1 (ephemeral port) and tunnel each connection to `control` for `capability`. */
  static async start(
    control: Address,
    capability: string,
    options: ForwarderOptions = {},
  ): Promise<Forwarder> {
    const sockets = new Set<Socket>();
    const server = createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: true }, (local) => {
      sockets.add(local);
      local.once("close", () => sockets.delete(local));
      local.on("error", () => {});
      void tunnel(control, capability, local, options);
    });
    const port = await new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen({ host: "127.0.0.1", port: 0 }, () => {
        server.off("error", reject);
        const address = server.address();
        resolve(typeof address === "object" && address ? address.port : 0);
      });
    });
    const forwarder = new Forwarder(capability, server, port);
    forwarder.sockets = sockets;
    return forwarder;
  }

  /** Stop listening (the port then refuses connections) and drop open streams. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

async function tunnel(
  control: Address,
  capability: string,
  local: Socket,
  options: ForwarderOptions,
): Promise<void> {
  const report = (message: string) => {
    options.onError?.(message);
    local.destroy();
  };
  const upstream = connect(dialOptions(control, { allowHalfOpen: true }));
  upstream.on("error", () => {});
  let spliced = false;
  local.once("close", () => {
    if (!spliced) upstream.destroy();
  });
  try {
    await new Promise<void>((resolve, reject) => {
      upstream.once("connect", resolve);
      upstream.once("error", reject);
    });
  } catch (error) {
    report(`tunnel peer ${describeAddress(control)} connection failed: ${(error as Error).message}`);
    return;
  }
  const params: Record<string, unknown> = { capability };
  if (options.authToken) params.auth_token = options.authToken;
  upstream.write(encodeFrame({ jsonrpc: "2.0", id: 1, method: TUNNEL_OPEN, params }));
  const reader = new FrameReader(MAX_REPLY_BYTES);
  const reply = await new Promise<Buffer | string>((resolve) => {
    const onData = (chunk: Buffer) => {
      reader.push(chunk);
      const next = reader.next();
      if (!next) return;
      cleanup();
      resolve(next.kind === "frame" ? next.line : "oversized reply");
    };
    const onEnd = () => {
      cleanup();
      resolve("connection closed before the reply");
    };
    const cleanup = () => {
      upstream.off("data", onData);
      upstream.off("end", onEnd);
      upstream.off("close", onEnd);
      upstream.pause();
    };
    upstream.on("data", onData);
    upstream.on("end", onEnd);
    upstream.on("close", onEnd);
  });
  if (typeof reply === "string") {
    upstream.destroy();
    report(`tunnel.open '${capability}' refused: ${reply}`);
    return;
  }
  let frame: Record<string, unknown>;
  try {
    frame = parseJsonLine(reply);
  } catch {
    upstream.destroy();
    report(`tunnel.open '${capability}' refused: malformed reply`);
    return;
  }
  if (frame.error !== undefined || frame.result === undefined) {
    upstream.destroy();
    const message = (frame.error as { message?: unknown } | undefined)?.message;
    report(`tunnel.open '${capability}' refused: ${typeof message === "string" ? message : "no result"}`);
    return;
  }
  if (local.destroyed) {
    upstream.destroy();
    return;
  }
  spliced = true;
  // Bytes that arrived after the reply frame already belong to the stream.
  await splice(local, upstream, { toA: reader.drain() });
}
