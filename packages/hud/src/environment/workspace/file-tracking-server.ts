// startFileTracking: serve one FileTracker as `filetracking/1` (NDJSON JSON-RPC on loopback) and its capability.
import { createServer, type Server, type Socket } from "node:net";
import { Capability, PROTOCOLS } from "../../capabilities/capability.ts";
import {
  FILETRACKING_METHODS,
  type FileTrackingMethod,
} from "../../capabilities/clients/filetracking-wire.ts";
import { ErrorCode, errorMessage, RpcError } from "../../protocol/errors.ts";
import { encodeFrame, FrameReader } from "../../protocol/framing.ts";
import {
  failure,
  type JsonObject,
  parseJsonLine,
  type RequestId,
  success,
  toRequest,
} from "../../protocol/jsonrpc.ts";
import { FileTracker, type FileTrackerOptions } from "./file-tracker.ts";

export interface FileTrackingOptions extends FileTrackerOptions {
  /** Capability name (default "filetracking"). */
  name?: string;
  /** Listen address (default 127.0.0.1; reach it from elsewhere through the control channel's tunnel). */
  host?: string;
  port?: number;
  /** Largest request frame (default 64 KiB: requests carry no params). */
  maxFrameBytes?: number;
}

export interface FileTracking {
  readonly capability: Capability;
  readonly tracker: FileTracker;
  stop(): Promise<void>;
}

const METHODS = new Set<string>(FILETRACKING_METHODS);

function posixPath(path: string): string {
  return path.replaceAll("\\", "/");
}

/** Calls run one at a time across every connection: the tracker's samples are shared. */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(work: () => Promise<T>): Promise<T> {
    const next = this.tail.then(work);
    this.tail = next.catch(() => {});
    return next;
  }
}

/**
 * Take the baseline of `root`, then serve it. The capability is `{name: "filetracking", protocol:
 * "filetracking/1", url: "tcp://127.0.0.1:<port>", params: {root, setup_diff: true}}`; publish it and call
 * `stop()` when the workspace goes away.
 */
export async function startFileTracking(
  root: string,
  options: FileTrackingOptions = {},
): Promise<FileTracking> {
  const tracker = new FileTracker(root, options);
  await tracker.start();
  const queue = new SerialQueue();
  const sockets = new Set<Socket>();
  const maxFrameBytes = options.maxFrameBytes ?? 64 * 1024;
  const call = (method: FileTrackingMethod): Promise<unknown> =>
    queue.run((): Promise<unknown> => tracker[method]());
  const server = createServer({ noDelay: true }, (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    serveConnection(socket, maxFrameBytes, call);
  });
  const host = options.host ?? "127.0.0.1";
  await listen(server, host, options.port ?? 0);
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const capability = new Capability({
    name: options.name ?? "filetracking",
    protocol: PROTOCOLS.filetracking,
    url: `tcp://${host.includes(":") ? `[${host}]` : host}:${port}`,
    params: { root: posixPath(tracker.root), setup_diff: true },
  });
  let stopping: Promise<void> | undefined;
  return {
    capability,
    tracker,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
      return stopping;
    },
  };
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host, port }, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

/** One client: requests answered in order; reading pauses while one is being answered (bounded memory). */
function serveConnection(
  socket: Socket,
  maxFrameBytes: number,
  call: (method: FileTrackingMethod) => Promise<unknown>,
): void {
  const reader = new FrameReader(maxFrameBytes);
  const lines: Buffer[] = [];
  let busy = false;
  const reply = (frame: object) => {
    if (!socket.destroyed) socket.write(encodeFrame(frame));
  };
  const answer = async (line: Buffer): Promise<void> => {
    let id: RequestId = null;
    try {
      const request = toRequest(parseJsonLine(line));
      id = request.id ?? null;
      if (!METHODS.has(request.method)) {
        throw new RpcError(ErrorCode.ServerError, `unknown method: '${request.method}'`);
      }
      const result = await call(request.method as FileTrackingMethod);
      if (request.id !== undefined) reply(success(id, result as JsonObject));
    } catch (error) {
      const rpc = RpcError.is(error) ? error : new RpcError(ErrorCode.ServerError, errorMessage(error));
      reply(failure(id, rpc));
    }
  };
  const pump = async () => {
    if (busy) return;
    busy = true;
    socket.pause();
    while (lines.length > 0) {
      await answer(lines.shift()!);
      // A client that sends but does not read must not make us buffer its replies without end.
      if (socket.writableNeedDrain && !socket.destroyed) {
        await new Promise<void>((resolve) => {
          const done = () => {
            socket.off("drain", done);
            socket.off("close", done);
            resolve();
          };
          socket.on("drain", done);
          socket.on("close", done);
        });
      }
    }
    busy = false;
    if (!socket.destroyed) socket.resume();
  };
  socket.on("data", (chunk: Buffer) => {
    reader.push(chunk);
    for (;;) {
      const next = reader.next();
      if (!next) break;
      if (next.kind === "oversize") {
        reply(
          failure(null, new RpcError(ErrorCode.InvalidRequest, `frame over the ${maxFrameBytes}-byte limit`)),
        );
        socket.end();
        return;
      }
      lines.push(next.line);
    }
    void pump();
  });
  socket.on("error", () => socket.destroy());
}
