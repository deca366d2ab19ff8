// tunnel.open: splice a connection to the host:port of a capability the environment publishes.
import { connect, type Socket } from "node:net";
import { capabilityAddress } from "../../capabilities/capability.ts";
import { ErrorCode, errorMessage, RpcError } from "../../protocol/errors.ts";
import { encodeFrame } from "../../protocol/framing.ts";
import type { RpcRequest } from "../../protocol/jsonrpc.ts";
import { parseTunnelOpen } from "../../protocol/methods.ts";
import { splice } from "../../protocol/splice.ts";
import type { Environment } from "../environment.ts";
import { closeWithError } from "./connection.ts";

const DIAL_TIMEOUT_MS = 10_000;

/** Serve a capability stream on `socket`; `head` holds bytes the client sent after its tunnel.open frame. */
export async function openTunnel(
  env: Environment,
  socket: Socket,
  request: RpcRequest,
  head: Buffer,
): Promise<void> {
  const id = request.id ?? null;
  let name: string;
  try {
    name = parseTunnelOpen(request.params ?? {}).capability;
  } catch (error) {
    closeWithError(socket, id, error as RpcError);
    return;
  }
  const cap = env.capability(name);
  if (!cap) {
    const available = env.capabilities.map((c) => c.name).join(", ") || "<none>";
    closeWithError(
      socket,
      id,
      new RpcError(ErrorCode.InvalidParams, `unknown capability: '${name}' (available: ${available})`),
    );
    return;
  }
  const address = capabilityAddress(cap);
  if (!address) {
    closeWithError(
      socket,
      id,
      new RpcError(
        ErrorCode.InvalidParams,
        `capability '${name}' has no host:port to tunnel to (url: ${cap.url})`,
      ),
    );
    return;
  }
  let upstream: Socket;
  try {
    upstream = await dial(address.host, address.port);
  } catch (error) {
    closeWithError(
      socket,
      id,
      new RpcError(
        ErrorCode.ServerError,
        `capability '${name}' unreachable at ${address.host}:${address.port}: ${errorMessage(error)}`,
      ),
    );
    return;
  }
  if (socket.destroyed) {
    upstream.destroy();
    return;
  }
  socket.write(encodeFrame({ jsonrpc: "2.0", id, result: { capability: name } }));
  socket.setNoDelay(true);
  upstream.setNoDelay(true);
  socket.resume();
  await splice(socket, upstream, { toB: head });
}

function dial(host: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, allowHalfOpen: true });
    const timer = setTimeout(
      () => socket.destroy(new Error(`timed out after ${DIAL_TIMEOUT_MS} ms`)),
      DIAL_TIMEOUT_MS,
    );
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.off("error", onError);
      resolve(socket);
    });
    const onError = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    socket.once("error", onError);
  });
}
