// The workspace's SSH server on loopback: public-key auth against one generated client key, bounded
// connections, sessions and login time; no port forwarding. Sessions run in the sandbox (ssh-session.ts).
import { timingSafeEqual } from "node:crypto";
import { createServer, type Server as NetServer, type Socket } from "node:net";
import ssh2, { type AuthContext, type Connection } from "ssh2";
import { HudError } from "../../protocol/errors.ts";
import type { Sandbox } from "./sandbox.ts";
import { SshSession } from "./ssh-session.ts";

export interface SshServerOptions {
  hostKey: string;
  /** `ssh-ed25519 AAAA…`: the only key that may log in. */
  clientPublicKey: string;
  sandbox: Sandbox;
  /** sftp-server's path inside the sandbox, or undefined to refuse the sftp subsystem. */
  sftpServer: string | undefined;
  connections: number;
  sessions: number;
}

/** Seconds from TCP connect to successful authentication (OpenSSH's LoginGraceTime, shortened). */
const LOGIN_GRACE = 30;
/** Failed authentication attempts before the connection is dropped (OpenSSH's MaxAuthTries). */
const MAX_AUTH_TRIES = 6;

export class SshServer {
  readonly port: number;
  private readonly server: NetServer;
  private readonly sockets: Set<Socket>;

  private constructor(server: NetServer, sockets: Set<Socket>, port: number) {
    this.server = server;
    this.sockets = sockets;
    this.port = port;
  }

  static async listen(options: SshServerOptions): Promise<SshServer> {
    const allowed = ssh2.utils.parseKey(options.clientPublicKey);
    if (allowed instanceof Error) throw new HudError(`workspace: bad client key: ${allowed.message}`);
    const allowedBlob = allowed.getPublicSSH();
    const pending = new Map<number, { socket: Socket; timer: NodeJS.Timeout }>();
    const sockets = new Set<Socket>();

    const ssh = new ssh2.Server(
      {
        hostKeys: [options.hostKey],
        ident: "hud-workspace",
        keepaliveInterval: 15_000,
        keepaliveCountMax: 4,
      },
      (client: Connection, info) => {
        const entry = pending.get(info.port);
        client.on("error", () => {});
        let failures = 0;
        client.on("authentication", (ctx: AuthContext) => {
          if (
            ctx.method === "publickey" &&
            ctx.key.algo === allowed.type &&
            sameBytes(ctx.key.data, allowedBlob)
          ) {
            if (!ctx.signature || !ctx.blob) return ctx.accept(); // the client asks whether the key would do
            if (allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true) return ctx.accept();
          }
          if (ctx.method !== "none" && ++failures >= MAX_AUTH_TRIES) {
            entry?.socket.destroy();
            return;
          }
          ctx.reject(["publickey"]);
        });
        client.on("ready", () => {
          if (entry) clearTimeout(entry.timer);
          pending.delete(info.port);
          const sessions = new Set<SshSession>();
          client.on("session", (accept, reject) => {
            if (sessions.size >= options.sessions) return reject();
            const channel = accept();
            const session = new SshSession(channel, options.sandbox, options.sftpServer);
            sessions.add(session);
            channel.once("close", () => sessions.delete(session));
          });
          client.on("close", () => {
            for (const session of sessions) session.close();
          });
        });
      },
    );

    const server = createServer((socket) => {
      if (sockets.size >= options.connections || socket.remotePort === undefined) {
        socket.destroy();
        return;
      }
      const port = socket.remotePort;
      sockets.add(socket);
      socket.setNoDelay(true);
      const timer = setTimeout(() => socket.destroy(), LOGIN_GRACE * 1000);
      pending.set(port, { socket, timer });
      socket.on("error", () => {});
      socket.once("close", () => {
        clearTimeout(timer);
        if (pending.get(port)?.socket === socket) pending.delete(port);
        sockets.delete(socket);
      });
      ssh.injectSocket(socket);
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
    const address = server.address();
    if (address === null || typeof address === "string") throw new HudError("workspace: no listening port");
    return new SshServer(server, sockets, address.port);
  }

  /** Stop listening and drop every connection (their sessions' commands are killed). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
