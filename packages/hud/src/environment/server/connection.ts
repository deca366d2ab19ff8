// One accepted socket, read frame by frame: the first frame decides between a control session and a tunnel.
import type { Socket } from "node:net";
import { ErrorCode, errorMessage, RpcError } from "../../protocol/errors.ts";
import { encodeFrame, FrameReader } from "../../protocol/framing.ts";
import {
  failure,
  frameId,
  type JsonObject,
  parseJsonLine,
  type RequestId,
  type RpcRequest,
  toRequest,
} from "../../protocol/jsonrpc.ts";

/** How long a connection closed for a protocol error keeps draining input so the peer can read the error. */
const CLOSE_GRACE_MS = 2_000;

/** Handle one request; resolve false to stop reading (the handler closed or took over the socket). */
export type FrameHandler = (request: RpcRequest, reader: FrameReader) => Promise<boolean>;

/** Input buffered while a request is handled, beyond which reading pauses until the handler is done. */
const BUSY_BUFFER_BYTES = 1024 * 1024;

/**
 * Read NDJSON requests from `socket` one at a time. The socket keeps flowing while a request is handled
 * (so a peer that goes away mid-request is noticed), up to BUSY_BUFFER_BYTES of further input.
 * Malformed or oversized frames get an error reply and the connection is closed; nothing throws.
 */
export function readRequests(socket: Socket, maxFrameBytes: number, handle: FrameHandler): void {
  const reader = new FrameReader(maxFrameBytes);
  let busy = false;
  let stopped = false;
  let ended = false;

  const stop = () => {
    stopped = true;
    socket.off("data", onData);
    socket.off("end", onPeerEnd);
  };

  const pump = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      for (;;) {
        const next = reader.next();
        if (!next) break;
        if (next.kind === "oversize") {
          stop();
          closeWithError(
            socket,
            null,
            new RpcError(
              ErrorCode.InvalidRequest,
              `frame too large: over ${maxFrameBytes} bytes without a newline (limit ${maxFrameBytes})`,
            ),
          );
          return;
        }
        let frame: JsonObject | undefined;
        let request: RpcRequest;
        try {
          frame = parseJsonLine(next.line);
          request = toRequest(frame);
        } catch (error) {
          const rpc = RpcError.is(error)
            ? error
            : new RpcError(ErrorCode.InvalidRequest, errorMessage(error));
          if (rpc.code === ErrorCode.InvalidParams && frame) {
            // Well-formed request with bad params: reply (a notification gets none) and keep the connection.
            if (frame.id !== undefined) reply(socket, frameId(frame), rpc);
            continue;
          }
          stop();
          closeWithError(socket, frameId(frame), rpc);
          return;
        }
        let keepReading: boolean;
        try {
          keepReading = await handle(request, reader);
        } catch (error) {
          // A bug in a handler: report it, keep the server and the connection alive.
          reply(
            socket,
            request.id ?? null,
            new RpcError(ErrorCode.InternalError, `internal error: ${errorMessage(error)}`),
          );
          keepReading = true;
        }
        if (!keepReading || socket.destroyed) {
          stop();
          return;
        }
      }
    } finally {
      busy = false;
    }
    if (ended) {
      stop();
      socket.end();
      return;
    }
    if (!stopped && socket.isPaused()) socket.resume();
  };

  const onData = (chunk: Buffer) => {
    reader.push(chunk);
    if (busy && reader.pendingBytes > BUSY_BUFFER_BYTES) socket.pause();
    void pump();
  };
  const onPeerEnd = () => {
    ended = true;
    void pump();
  };
  socket.on("data", onData);
  socket.on("end", onPeerEnd);
}

export function reply(socket: Socket, id: RequestId | undefined, error: RpcError): void {
  if (id === undefined) return;
  if (!socket.destroyed && socket.writable) socket.write(encodeFrame(failure(id, error)));
}

/** Reply with an error, then end the connection (see endConnection). */
export function closeWithError(socket: Socket, id: RequestId, error: RpcError): void {
  endConnection(socket, encodeFrame(failure(id, error)));
}

/**
 * End our side (after `lastFrame`), discard whatever the peer still sends so its FIN is seen, and destroy
 * once it closes or the grace period ends: a socket we stopped reading must not linger half-closed.
 */
export function endConnection(socket: Socket, lastFrame?: string): void {
  if (socket.destroyed) return;
  socket.on("data", () => {});
  socket.resume();
  const timer = setTimeout(() => socket.destroy(), CLOSE_GRACE_MS);
  timer.unref();
  socket.once("close", () => clearTimeout(timer));
  socket.once("end", () => socket.destroySoon());
  if (lastFrame === undefined) socket.end();
  else socket.end(lastFrame);
}
