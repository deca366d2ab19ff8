// Small TCP servers that stand in for capability daemons (echo, digest) and for misbehaving control peers.
import { createHash } from "node:crypto";
import { createServer, type Server, type Socket } from "node:net";
import { RawPeer } from "./raw-peer.ts";

export interface TestServer {
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Connections currently open. */
  readonly open: number;
  close(): Promise<void>;
}

/** Listen on 127.0.0.1 (ephemeral) and call `onSocket` per connection; close() destroys every socket. */
export async function tcpServer(onSocket: (socket: Socket, index: number) => void): Promise<TestServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.once("close", () => sockets.delete(socket));
    onSocket(socket, accepted++);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: "127.0.0.1", port: 0 }, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  return {
    port,
    get accepted() {
      return accepted;
    },
    get open() {
      return sockets.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Echoes every byte back; ends its side when the peer ends (half-close honoured). */
export function echoServer(): Promise<TestServer> {
  return tcpServer((socket) => socket.pipe(socket));
}

/**
 * Reads until the peer ends its writes, then answers `<bytes> <sha256 hex>\n` and closes:
 * proves the whole stream arrived and that half-close reached the backend.
 */
export function digestServer(): Promise<TestServer> {
  return tcpServer((socket) => {
    const hash = createHash("sha256");
    let bytes = 0;
    socket.on("data", (chunk: Buffer) => {
      hash.update(chunk);
      bytes += chunk.length;
    });
    socket.on("end", () => socket.end(`${bytes} ${hash.digest("hex")}\n`));
  });
}

/** A control-channel stand-in: each connection is handed over as a RawPeer (server side). */
export function stubServer(
  onPeer: (peer: RawPeer, index: number) => void | Promise<void>,
): Promise<TestServer> {
  return tcpServer((socket, index) => {
    const peer = new RawPeer(socket);
    Promise.resolve(onPeer(peer, index)).catch(() => socket.destroy());
  });
}

/** A port with nothing listening on it (bound, then released). */
export async function unusedPort(): Promise<number> {
  const server = await tcpServer(() => {});
  await server.close();
  return server.port;
}

export function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}
