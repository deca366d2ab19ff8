// The control channel server: accepts connections, runs control sessions, hands tunnels to tunnel.ts.
import { timingSafeEqual } from "node:crypto";
import { lstatSync, unlinkSync } from "node:fs";
import { createServer, connect as netConnect, type Server, type Socket } from "node:net";
import { resolve as resolvePath } from "node:path";
import { ErrorCode, HudError, RpcError } from "../../protocol/errors.ts";
import { DEFAULT_MAX_FRAME_BYTES, encodeFrame } from "../../protocol/framing.ts";
import { type JsonObject, type RpcRequest, success } from "../../protocol/jsonrpc.ts";
import {
  isMethodName,
  type MethodName,
  methods,
  type ParamsOf,
  TUNNEL_OPEN,
} from "../../protocol/methods.ts";
import type { Environment } from "../environment.ts";
import { closeWithError, endConnection, readRequests, reply } from "./connection.ts";
import { RunningTask } from "./running-task.ts";
import { type Session, SessionTable } from "./sessions.ts";
import { openTunnel } from "./tunnel.ts";

export interface BindOptions {
  host?: string;
  /** 0 (default) picks an ephemeral port. */
  port?: number;
  /**
   * Listen on this unix socket path instead of TCP (host and port are then not used). The socket file is made
   * with the process umask (connecting needs write permission on it), a stale one left by a dead server is
   * replaced, and it is removed when the server closes.
   */
  path?: string;
  /** When set, the first frame of every connection must carry it as `params.auth_token`. */
  authToken?: string;
  /** Largest accepted frame in bytes (default 16 MiB). */
  maxFrameBytes?: number;
  /**
   * Seconds a parked task (its connection gone, never resumed or graded) is kept before it is cancelled
   * (default 3600; 0 keeps it until the server stops).
   */
  parkTtl?: number;
}

export interface HudServer extends AsyncDisposable {
  readonly host: string;
  /** The TCP port (0 on a unix socket). */
  readonly port: number;
  /** The unix socket path, when listening on one. */
  readonly path: string | undefined;
  /** `tcp://host:port`, or `unix:///path` */
  readonly url: string;
  /** Sessions currently known (live or parked). */
  readonly sessionCount: number;
  /** Stop accepting, cancel every suspended task, drop every connection. Idempotent. */
  close(): Promise<void>;
}

type Handler = (ctx: SessionContext, params: never) => Promise<JsonObject>;

interface SessionContext {
  session: Session;
  socket: Socket;
  /** The task being graded right now (no longer held by the session while it runs). */
  inflight?: RunningTask;
}

class ControlServer implements HudServer {
  readonly host: string;
  port = 0;
  readonly path: string | undefined;
  private readonly env: Environment;
  private readonly server: Server;
  private readonly sessions: SessionTable;
  private readonly sockets = new Set<Socket>();
  private readonly maxFrameBytes: number;
  private readonly token: Buffer | undefined;
  private closing: Promise<void> | undefined;
  private readonly handlers: {
    [M in MethodName]: (ctx: SessionContext, params: ParamsOf<M>) => Promise<JsonObject>;
  };

  constructor(env: Environment, options: BindOptions) {
    this.env = env;
    this.host = options.host ?? "127.0.0.1";
    this.path = options.path === undefined ? undefined : resolvePath(options.path);
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    const parkTtl = options.parkTtl ?? 3600;
    if (!(Number.isFinite(parkTtl) && parkTtl >= 0)) {
      throw new TypeError(`parkTtl must be a number of seconds ≥ 0 (got ${parkTtl})`);
    }
    this.sessions = new SessionTable(parkTtl, (task) => void task.cancel());
    this.token = options.authToken ? Buffer.from(options.authToken, "utf8") : undefined;
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, (socket) => this.accept(socket));
    this.handlers = {
      hello: async (ctx, params) => {
        if (params.session_id !== undefined)
          ctx.session = this.sessions.resume(ctx.session, params.session_id);
        return {
          session_id: ctx.session.id,
          env: { name: this.env.name, version: this.env.version },
          bindings: this.env.capabilities.map((c) => c.toManifest()),
        };
      },
      "tasks.list": async () => ({ tasks: [...this.env.templates.values()].map((t) => t.manifest()) }),
      "tasks.start": async (ctx, params) => {
        const previous = ctx.session.task;
        ctx.session.task = undefined;
        if (previous) await previous.cancel();
        const task = await RunningTask.start(this.env, params.id, params.args);
        if (this.closing) {
          await task.cancel();
          throw new RpcError(ErrorCode.ServerError, "server is shutting down");
        }
        ctx.session.task = task;
        return task.prompt;
      },
      "tasks.grade": async (ctx, params) => {
        const task = ctx.session.task ?? this.sessions.adopt(ctx.session);
        ctx.session.task = undefined;
        return this.inflight(ctx, task, () => task.grade(params));
      },
      "tasks.solve": async (ctx) => {
        const task = ctx.session.task ?? this.sessions.adopt(ctx.session);
        return task.solve();
      },
      "tasks.cancel": async (ctx) => {
        const task = ctx.session.task;
        ctx.session.task = undefined;
        if (task) await task.cancel();
        return { cancelled: true };
      },
      bye: async (ctx) => {
        const task = ctx.session.task;
        ctx.session.task = undefined;
        if (task) await task.cancel();
        return { goodbye: true };
      },
    };
  }

  get url(): string {
    if (this.path !== undefined) return `unix://${this.path}`;
    const host = this.host.includes(":") ? `[${this.host}]` : this.host;
    return `tcp://${host}:${this.port}`;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  async listen(port: number): Promise<void> {
    if (this.path === undefined) {
      await this.listenOn({ host: this.host, port });
      const address = this.server.address();
      this.port = typeof address === "object" && address ? address.port : port;
      return;
    }
    const path = this.path;
    try {
      await this.listenOn({ path });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") {
        throw new HudError(`cannot listen on ${path}: ${(error as Error).message}`);
      }
      if (lstatSync(path, { throwIfNoEntry: false })?.isSocket() !== true) {
        throw new HudError(`${path} exists and is not a socket: choose another socket path`);
      }
      if (await answers(path)) throw new HudError(`another server is listening on ${path}`);
      // A socket file left by a server that died: nobody answers on it, so it is ours to replace.
      unlinkSync(path);
      await this.listenOn({ path });
    }
  }

  private listenOn(where: { host: string; port: number } | { path: string }): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once("error", reject);
      // Node's default backlog (511) drops connections when hundreds of rollouts connect at once; the kernel
      // clamps this to net.core.somaxconn.
      this.server.listen({ ...where, backlog: 4096 }, () => {
        this.server.off("error", reject);
        resolve();
      });
    });
  }

  private accept(socket: Socket): void {
    if (this.closing) {
      socket.destroy();
      return;
    }
    this.sockets.add(socket);
    socket.on("error", () => {}); // resets are normal; 'close' does the cleanup
    let context: SessionContext | undefined;
    // Nobody is waiting for a grade in flight any more once the peer hangs up: let the template stop.
    const peerGone = () => context?.inflight?.abort("the runner's connection closed");
    socket.once("end", peerGone);
    socket.once("close", () => {
      this.sockets.delete(socket);
      if (!context) return;
      peerGone();
      this.sessions.detach(context.session);
    });
    readRequests(socket, this.maxFrameBytes, async (request, reader) => {
      if (!context) {
        if (!this.authorized(request)) {
          closeWithError(
            socket,
            request.id ?? null,
            new RpcError(
              ErrorCode.Unauthorized,
              "unauthorized: this server requires params.auth_token on the first frame",
            ),
          );
          return false;
        }
        if (request.method === TUNNEL_OPEN) {
          socket.pause(); // the stream's bytes wait in the socket until the splice is set up
          void openTunnel(this.env, socket, request, reader.drain());
          return false;
        }
        context = { session: this.sessions.open(), socket };
      }
      const keepReading = await this.dispatch(context, request);
      // The connection may have dropped while the request ran (e.g. during tasks.start): park what it left.
      if (socket.destroyed) this.sessions.detach(context.session);
      return keepReading;
    });
  }

  /** Run grading with the task marked in flight on this connection. */
  private async inflight<T>(ctx: SessionContext, task: RunningTask, work: () => Promise<T>): Promise<T> {
    ctx.inflight = task;
    try {
      return await work();
    } finally {
      ctx.inflight = undefined;
    }
  }

  private authorized(request: RpcRequest): boolean {
    if (!this.token) return true;
    const given = request.params?.auth_token;
    delete request.params?.auth_token;
    if (typeof given !== "string") return false;
    const bytes = Buffer.from(given, "utf8");
    return bytes.length === this.token.length && timingSafeEqual(bytes, this.token);
  }

  private async dispatch(ctx: SessionContext, request: RpcRequest): Promise<boolean> {
    const { socket } = ctx;
    const id = request.id;
    if (!isMethodName(request.method)) {
      reply(socket, id, new RpcError(ErrorCode.MethodNotFound, `method not found: ${request.method}`));
      return true;
    }
    let result: JsonObject;
    try {
      const params = methods[request.method].parse(request.params ?? {});
      result = await (this.handlers[request.method] as Handler)(ctx, params as never);
    } catch (error) {
      reply(
        socket,
        id,
        RpcError.is(error)
          ? error
          : new RpcError(ErrorCode.ServerError, String((error as Error)?.message ?? error)),
      );
      return true;
    }
    if (id !== undefined) this.send(socket, id, request.method, result);
    if (request.method === "bye") {
      this.sessions.drop(ctx.session);
      endConnection(socket);
      return false;
    }
    return true;
  }

  /** Write a result, replacing it with an error when it would exceed the frame limit the peer enforces. */
  private send(socket: Socket, id: string | number | null, method: string, result: JsonObject): void {
    if (socket.destroyed || !socket.writable) return;
    const frame = encodeFrame(success(id, result));
    if (Buffer.byteLength(frame) - 1 > this.maxFrameBytes) {
      reply(
        socket,
        id,
        new RpcError(
          ErrorCode.ServerError,
          `${method}: the reply is larger than the ${this.maxFrameBytes}-byte frame limit`,
        ),
      );
      return;
    }
    socket.write(frame);
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const stopped = new Promise<void>((resolve) => this.server.close(() => resolve()));
      const tasks = this.sessions.takeAllTasks();
      await Promise.allSettled(tasks.map((t) => t.cancel()));
      for (const socket of this.sockets) socket.destroy();
      await stopped;
    })();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** Whether a server accepts connections on the unix socket `path`. */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = netConnect({ path });
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}

/** Serve `env` on a TCP listener (loopback by default) or a unix socket. Does not run the environment's hooks. */
export async function bind(env: Environment, options: BindOptions = {}): Promise<HudServer> {
  const server = new ControlServer(env, options);
  await server.listen(options.port ?? 0);
  return server;
}
