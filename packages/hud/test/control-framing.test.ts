// Wire conformance over raw NDJSON: first-frame handling, frame size limits, malformed frames, half-close.
import { ErrorCode } from "hud";
import { describe, expect, it } from "vitest";
import { useCleanup } from "./support/cleanup.ts";
import { controlEnv } from "./support/control-env.ts";
import { errorOf } from "./support/raw-peer.ts";
import { serveRaw } from "./support/raw-server.ts";
import { waitUntil } from "./support/wait.ts";

const defer = useCleanup();
const MiB = 1024 * 1024;

async function setup(options: { maxFrameBytes?: number } = {}) {
  const { env, probe } = controlEnv();
  const { server, open } = await serveRaw(defer, env, options);
  return { server, probe, open };
}

/** A hello request line padded (inside params) to exactly `bytes` bytes, newline excluded. */
function helloOfSize(bytes: number, id = 1): string {
  const empty = JSON.stringify({ jsonrpc: "2.0", id, method: "hello", params: { pad: "" } });
  const line = JSON.stringify({
    jsonrpc: "2.0",
    id,
    method: "hello",
    params: { pad: "x".repeat(bytes - empty.length) },
  });
  expect(Buffer.byteLength(line)).toBe(bytes);
  return line;
}

describe("first frame", () => {
  it("a connection closed before sending a frame is dropped and the server keeps serving", async () => {
    const { server, open } = await setup();
    const quiet = await open();
    await quiet.close();
    const reset = await open();
    reset.socket.resetAndDestroy();
    await waitUntil(() => server.sessionCount === 0, "no session is left behind");
    const peer = await open();
    expect((await peer.call("hello")).session_id).toMatch(/^sess-/);
  });

  it("a non-hello first frame opens a control session and is answered as its first request", async () => {
    const { open } = await setup();
    const peer = await open();
    expect(await peer.call("tasks.start", { id: "echo", args: { text: "first" } })).toEqual({
      prompt: "say first",
    });
    expect(await peer.call("tasks.grade", { answer: "first" })).toEqual({ score: 1 });
  });
});

describe("framing", () => {
  it("answers pipelined requests from one write in order", async () => {
    const { open } = await setup();
    const peer = await open();
    const lines = [
      { jsonrpc: "2.0", id: 1, method: "hello" },
      { jsonrpc: "2.0", id: 2, method: "tasks.start", params: { id: "echo", args: { text: "a" } } },
      { jsonrpc: "2.0", id: 3, method: "tasks.grade", params: { answer: "a" } },
    ];
    await peer.write(lines.map((l) => `${JSON.stringify(l)}\n`).join(""));
    expect((await peer.next()).id).toBe(1);
    expect(await peer.next()).toEqual({ jsonrpc: "2.0", id: 2, result: { prompt: "say a" } });
    expect(await peer.next()).toEqual({ jsonrpc: "2.0", id: 3, result: { score: 1 } });
  });

  it("reassembles a frame split across writes and accepts CRLF line ends", async () => {
    const { open } = await setup();
    const peer = await open();
    const line = JSON.stringify({ jsonrpc: "2.0", id: 4, method: "tasks.cancel" });
    await peer.write(line.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await peer.write(`${line.slice(10)}\r\n`);
    expect(await peer.next()).toEqual({ jsonrpc: "2.0", id: 4, result: { cancelled: true } });
  });

  it("a peer that half-closes after its requests still gets every reply, then EOF", async () => {
    const { open } = await setup();
    const peer = await open();
    peer.send({ jsonrpc: "2.0", id: 1, method: "tasks.start", params: { id: "echo", args: { text: "x" } } });
    peer.send({ jsonrpc: "2.0", id: 2, method: "tasks.grade", params: { answer: "x" } });
    peer.end();
    expect((await peer.next()).result).toEqual({ prompt: "say x" });
    expect((await peer.next()).result).toEqual({ score: 1 });
    await peer.expectEof();
  });

  it("a frame at the limit is served; one byte over gets an error reply and that connection closes", async () => {
    const { open } = await setup({ maxFrameBytes: 1024 });
    const bystander = await open();
    await bystander.call("tasks.start", { id: "echo", args: { text: "still here" } });

    const atLimit = await open();
    await atLimit.write(`${helloOfSize(1024)}\n`);
    expect((await atLimit.next()).result).toMatchObject({ session_id: expect.stringMatching(/^sess-/) });

    const over = await open();
    await over.write(`${helloOfSize(1025)}\n`);
    const error = errorOf(await over.next());
    expect(error.code).toBe(ErrorCode.InvalidRequest);
    expect(error.message).toContain("1024");
    await over.expectEof();

    expect(await bystander.call("tasks.grade", { answer: "still here" })).toEqual({ score: 1 });
  });

  it("an oversized frame is refused before its newline arrives", async () => {
    const { open } = await setup({ maxFrameBytes: 1024 });
    const peer = await open();
    await peer.write(`{"jsonrpc":"2.0","id":1,"method":"hello","params":{"pad":"${"y".repeat(4096)}`);
    expect(errorOf(await peer.next()).code).toBe(ErrorCode.InvalidRequest);
    await peer.expectEof();
  });

  it("the default limit is 16 MiB: a 16 MiB frame is served, 16 MiB + 1 is refused", async () => {
    const { open } = await setup();
    const atLimit = await open();
    await atLimit.write(`${helloOfSize(16 * MiB)}\n`);
    expect((await atLimit.next(30)).result).toMatchObject({ session_id: expect.stringMatching(/^sess-/) });
    const over = await open();
    await over.write(`${helloOfSize(16 * MiB + 1)}\n`);
    expect(errorOf(await over.next(30)).code).toBe(ErrorCode.InvalidRequest);
    await over.expectEof(30);
    // The first connection is unaffected.
    expect(await atLimit.call("tasks.cancel")).toEqual({ cancelled: true });
  });

  it("a reply that would exceed the frame limit becomes an error reply; the connection stays usable", async () => {
    const { open } = await setup({ maxFrameBytes: 512 });
    const peer = await open();
    const error = errorOf(await peer.request("tasks.list"));
    expect(error.code).toBe(ErrorCode.ServerError);
    expect(error.message).toContain("512");
    expect(await peer.call("tasks.cancel")).toEqual({ cancelled: true });
  });
});

describe("malformed frames", () => {
  it("a non-JSON line gets -32700 and the connection closes; others keep working", async () => {
    const { open } = await setup();
    const bystander = await open();
    await bystander.call("hello");
    const peer = await open();
    await peer.write("this is not json\n");
    const frame = await peer.next();
    expect(frame.id).toBeNull();
    expect(errorOf(frame).code).toBe(ErrorCode.ParseError);
    await peer.expectEof();
    expect(await bystander.call("tasks.cancel")).toEqual({ cancelled: true });
  });

  it("a non-JSON line after a good request closes the session connection too", async () => {
    const { open } = await setup();
    const peer = await open();
    await peer.call("hello");
    await peer.write("{oops\n");
    expect(errorOf(await peer.next()).code).toBe(ErrorCode.ParseError);
    await peer.expectEof();
  });

  it.each(["[1,2]", '"text"', "42", "null"])(
    "a JSON value that is not an object (%s) is refused and closed",
    async (line) => {
      const { open } = await setup();
      const peer = await open();
      await peer.write(`${line}\n`);
      expect(errorOf(await peer.next()).code).toBe(ErrorCode.InvalidRequest);
      await peer.expectEof();
    },
  );

  it("a request without a string method is -32600 with its id, then closed", async () => {
    const { open } = await setup();
    const peer = await open();
    peer.send({ jsonrpc: "2.0", id: 12, params: {} });
    expect(await peer.next()).toEqual({
      jsonrpc: "2.0",
      id: 12,
      error: { code: ErrorCode.InvalidRequest, message: expect.stringContaining("method") },
    });
    await peer.expectEof();
  });

  it("params that are not an object are -32602 and the connection stays usable", async () => {
    const { open } = await setup();
    const peer = await open();
    peer.send({ jsonrpc: "2.0", id: 3, method: "tasks.start", params: ["echo"] });
    expect(errorOf(await peer.next())).toEqual({
      code: ErrorCode.InvalidParams,
      message: "tasks.start: 'params' must be an object",
    });
    expect(await peer.call("tasks.cancel")).toEqual({ cancelled: true });
  });
});
