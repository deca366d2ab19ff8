// Byte splice between two sockets: a raw pipe both ways, with half-close propagated and errors contained.
import type { Socket } from "node:net";

/**
 * Pipe `a` ↔ `b` until both directions end. When one side ends its writes, the other side's
 * write half is ended too (half-close). Any error destroys both. Both sockets must be created
 * with `allowHalfOpen: true` for half-close to survive. Resolves when both sockets are closed.
 */
export function splice(a: Socket, b: Socket, head?: { toB?: Buffer; toA?: Buffer }): Promise<void> {
  if (head?.toB && head.toB.length > 0) b.write(head.toB);
  if (head?.toA && head.toA.length > 0) a.write(head.toA);
  const done = Promise.all([closed(a), closed(b)]).then(() => undefined);
  const destroyBoth = () => {
    a.destroy();
    b.destroy();
  };
  a.on("error", destroyBoth);
  b.on("error", destroyBoth);
  a.pipe(b);
  b.pipe(a);
  // A side that is fully closed (not merely half-closed) takes the other one down with it.
  a.once("close", () => b.destroySoon());
  b.once("close", () => a.destroySoon());
  return done;
}

function closed(socket: Socket): Promise<void> {
  return socket.closed ? Promise.resolve() : new Promise((resolve) => socket.once("close", () => resolve()));
}
