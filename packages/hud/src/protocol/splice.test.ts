// splice(): bytes both ways over real loopback sockets, half-close in each direction, errors taking both sides down.
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { splice } from "./splice.ts";

const servers: Server[] = [];
const sockets: Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A connected loopback pair: `outer` dialed, `inner` accepted; both allow half-open. */
async function pair(): Promise<{ outer: Socket; inner: Socket }> {
  const server = createServer({ allowHalfOpen: true });
  servers.push(server);
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("no address");
  const accepted = once(server, "connection") as Promise<[Socket]>;
  const outer = connect({ host: "127.0.0.1", port: address.port, allowHalfOpen: true });
  sockets.push(outer);
  const [inner] = await accepted;
  sockets.push(inner);
  await once(outer, "connect");
  return { outer, inner };
}

/**
 * x ⇄ a ⇐splice⇒ b ⇄ y: the test talks through `x` and `y`; `a` and `b` are spliced.
 */
async function chain(head?: { toB?: Buffer; toA?: Buffer }) {
  const left = await pair();
  const right = await pair();
  const a = left.inner;
  const b = right.outer;
  const done = splice(a, b, head);
  return { x: left.outer, a, b, y: right.inner, done };
}

function readAll(socket: Socket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve, reject) => {
    socket.once("end", () => resolve(Buffer.concat(chunks)));
    socket.once("error", reject);
  });
}

/** Resolves with the bytes read so far once `socket` has received `text`. */
function readUntil(socket: Socket, text: string): Promise<string> {
  let got = "";
  return new Promise((resolve) => {
    const onData = (chunk: Buffer) => {
      got += chunk.toString("latin1");
      if (got.includes(text)) {
        socket.off("data", onData);
        resolve(got);
      }
    };
    socket.on("data", onData);
  });
}

/** Resolves when the peer of a spliced socket sees its stream end (EOF, reset or close). */
function peerGone(socket: Socket): Promise<void> {
  if (socket.readableEnded || socket.destroyed) return Promise.resolve();
  socket.resume();
  return new Promise((resolve) => {
    socket.once("end", resolve);
    socket.once("error", () => resolve());
    socket.once("close", () => resolve());
  });
}

const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");

describe("splice", () => {
  it("carries bytes both ways at once and resolves when both sides end", async () => {
    const { x, y, a, b, done } = await chain();
    const up = randomBytes(3 * 1024 * 1024 + 17);
    const down = randomBytes(2 * 1024 * 1024 + 5);
    const atY = readAll(y);
    const atX = readAll(x);
    x.end(up);
    y.end(down);
    const [gotUp, gotDown] = await Promise.all([atY, atX]);
    expect(sha(gotUp)).toBe(sha(up));
    expect(sha(gotDown)).toBe(sha(down));
    await done;
    expect(a.destroyed && b.destroyed).toBe(true);
  });

  it("propagates a half-close from the dialing side and keeps the reverse direction open", async () => {
    const { x, y, done } = await chain();
    const atY = readAll(y);
    x.end("request, then EOF");
    expect((await atY).toString()).toBe("request, then EOF");
    // y saw EOF but can still answer; x must get the answer and then EOF.
    const atX = readAll(x);
    y.end("answer after EOF");
    expect((await atX).toString()).toBe("answer after EOF");
    await done;
  });

  it("propagates a half-close from the accepting side and keeps the forward direction open", async () => {
    const { x, y, done } = await chain();
    const atX = readAll(x);
    y.end("banner, then EOF");
    expect((await atX).toString()).toBe("banner, then EOF");
    const atY = readAll(y);
    x.end("upload after EOF");
    expect((await atY).toString()).toBe("upload after EOF");
    await done;
  });

  it("writes head bytes before anything else in each direction", async () => {
    const { x, y, done } = await chain({ toB: Buffer.from("early-"), toA: Buffer.from("hi-") });
    const atY = readAll(y);
    const atX = readAll(x);
    x.end("late");
    y.end("there");
    expect((await atY).toString()).toBe("early-late");
    expect((await atX).toString()).toBe("hi-there");
    await done;
  });

  it("destroys both sides when one side is reset", async () => {
    const { x, y, a, b, done } = await chain();
    x.on("error", () => {});
    y.write("ping");
    await readUntil(x, "ping");
    y.resetAndDestroy(); // b gets ECONNRESET
    await done;
    await peerGone(x);
    expect(a.destroyed && b.destroyed).toBe(true);
  });

  it("destroys both sides when the other side errors locally", async () => {
    const { x, y, a, b, done } = await chain();
    y.on("error", () => {});
    a.destroy(new Error("boom"));
    await done;
    await peerGone(y);
    expect(a.destroyed && b.destroyed).toBe(true);
    await peerGone(x); // the peer of the failed side is not left hanging
  });
});
