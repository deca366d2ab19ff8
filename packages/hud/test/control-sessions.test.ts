// Wire conformance over raw NDJSON: sessions — replace, park, adopt, resume, cancel, bye, shutdown.
import { ErrorCode } from "hud";
import { describe, expect, it } from "vitest";
import { useCleanup } from "./support/cleanup.ts";
import { controlEnv } from "./support/control-env.ts";
import { errorOf, type Frame, type RawPeer } from "./support/raw-peer.ts";
import { serveRaw } from "./support/raw-server.ts";
import { waitUntil } from "./support/wait.ts";

const defer = useCleanup();

async function setup() {
  const { env, probe } = controlEnv();
  const { server, open } = await serveRaw(defer, env);
  return { server, probe, open };
}

/** Open a connection, start a tagged task, and return the session id. */
async function startTagged(
  open: () => Promise<RawPeer>,
  tag: string,
): Promise<{ peer: RawPeer; sid: string }> {
  const peer = await open();
  const { session_id } = await peer.call("hello");
  await peer.call("tasks.start", { id: "tagged", args: { tag } });
  return { peer, sid: session_id as string };
}

describe("one task per session", () => {
  it("two connections start and grade independently (python-sdk case 13)", async () => {
    const { open } = await setup();
    const a = await startTagged(open, "a");
    const b = await startTagged(open, "b");
    expect(await b.peer.call("tasks.grade", { answer: "B" })).toEqual({ score: 1, tag: "b", answer: "B" });
    expect(await a.peer.call("tasks.grade", { answer: "A" })).toEqual({ score: 1, tag: "a", answer: "A" });
  });

  it("re-starting cancels the old task first (its finally runs) and replaces only this session's (case 14)", async () => {
    const { open, probe } = await setup();
    const a = await startTagged(open, "a1");
    const b = await startTagged(open, "b");
    await a.peer.call("tasks.start", { id: "tagged", args: { tag: "a2" } });
    expect(probe.finallyRan).toEqual(["a1"]);
    expect(await a.peer.call("tasks.grade", { answer: 2 })).toMatchObject({ tag: "a2" });
    expect(await b.peer.call("tasks.grade", { answer: 3 })).toMatchObject({ tag: "b" });
  });

  it("a failing re-start still cancels the old task and leaves none", async () => {
    const { open, probe } = await setup();
    const a = await startTagged(open, "old");
    errorOf(await a.peer.request("tasks.start", { id: "boom" }));
    expect(probe.finallyRan).toEqual(["old"]);
    expect(errorOf(await a.peer.request("tasks.grade", { answer: 1 })).message).toBe("no task in progress");
  });
});

describe("parking and adoption", () => {
  it("a dropped connection parks its task; a new connection's plain tasks.grade adopts it (case 15)", async () => {
    const { open, probe } = await setup();
    const a = await startTagged(open, "parked");
    await a.peer.close();
    expect(probe.finallyRan).toEqual([]);
    const b = await open();
    expect(await b.call("tasks.grade", { answer: "late" })).toEqual({
      score: 1,
      tag: "parked",
      answer: "late",
    });
    expect(probe.finallyRan).toEqual(["parked"]);
    // Adopted and graded: nothing is parked any more.
    expect(errorOf(await b.request("tasks.grade", { answer: 1 })).message).toBe("no task in progress");
  });

  it("a connection reset (not a clean close) parks too", async () => {
    const { open } = await setup();
    const a = await startTagged(open, "reset");
    a.peer.socket.resetAndDestroy();
    const b = await open();
    // The reset reaches the server asynchronously; once it has, the task is parked and adoptable.
    let frame = await b.request("tasks.grade", { answer: 1 });
    const notYet = (f: Frame) =>
      (f.error as { message?: string } | undefined)?.message === "no task in progress";
    for (let i = 0; i < 100 && notYet(frame); i++) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      frame = await b.request("tasks.grade", { answer: 1 });
    }
    expect(frame.result).toMatchObject({ tag: "reset" });
  });

  it("with several parked, plain tasks.grade fails naming them (case 16)", async () => {
    const { open } = await setup();
    const a = await startTagged(open, "a");
    const b = await startTagged(open, "b");
    await a.peer.close();
    await b.peer.close();
    const c = await open();
    const error = errorOf(await c.request("tasks.grade", { answer: 1 }));
    expect(error.code).toBe(ErrorCode.InvalidRequest);
    expect(error.message).toContain("parked sessions");
    expect(error.message).toContain(a.sid);
    expect(error.message).toContain(b.sid);
    expect(error.message).toContain("hello");
  });

  it("hello with a parked session id resumes that session (case 17)", async () => {
    const { open } = await setup();
    const a = await startTagged(open, "a");
    const b = await startTagged(open, "b");
    await a.peer.close();
    await b.peer.close();
    const c = await open();
    expect((await c.call("hello", { session_id: b.sid })).session_id).toBe(b.sid);
    expect(await c.call("tasks.grade", { answer: "x" })).toMatchObject({ tag: "b" });
    // The other parked task is now the only one: a plain grade adopts it.
    const d = await open();
    expect(await d.call("tasks.grade", { answer: "y" })).toMatchObject({ tag: "a" });
  });

  it("a resumed session can be parked and resumed again", async () => {
    const { open } = await setup();
    const a = await startTagged(open, "again");
    await a.peer.close();
    const b = await open();
    await b.call("hello", { session_id: a.sid });
    await b.close();
    const c = await open();
    expect((await c.call("hello", { session_id: a.sid })).session_id).toBe(a.sid);
    expect(await c.call("tasks.grade", { answer: 1 })).toMatchObject({ tag: "again" });
  });

  it("a task whose start finishes after its connection was reset is parked, not lost", async () => {
    const { open, probe, server } = await setup();
    const a = await open();
    await a.call("hello");
    a.send({ jsonrpc: "2.0", id: 9, method: "tasks.start", params: { id: "gated" } });
    await waitUntil(() => probe.bodyRan.includes("gated"), "the generator is running");
    a.socket.resetAndDestroy();
    await waitUntil(() => server.sessionCount === 0, "the server saw the reset");
    probe.openGate();
    await waitUntil(() => server.sessionCount === 1, "the started task is parked");
    const b = await open();
    expect(await b.call("tasks.grade", { answer: 1 })).toEqual({ score: 1 });
    expect(probe.finallyRan).toEqual(["gated"]);
  });
});

describe("hello session_id", () => {
  it.each([[42], [{ id: "x" }], [true]])("a non-string session_id (%j) is -32602", async (sid) => {
    const { open } = await setup();
    const peer = await open();
    expect(errorOf(await peer.request("hello", { session_id: sid }))).toEqual({
      code: ErrorCode.InvalidParams,
      message: "hello: 'session_id' must be a string",
    });
  });

  it("a session with a live connection cannot be resumed (case 19)", async () => {
    const { open } = await setup();
    const a = await startTagged(open, "live");
    const b = await open();
    expect(errorOf(await b.request("hello", { session_id: a.sid }))).toEqual({
      code: ErrorCode.InvalidRequest,
      message: `session '${a.sid}' has a live connection`,
    });
    // A still owns its task.
    expect(await a.peer.call("tasks.grade", { answer: 1 })).toMatchObject({ tag: "live" });
  });

  it("an unknown id is -32600 unknown session (case 18)", async () => {
    const { open } = await setup();
    const peer = await open();
    expect(errorOf(await peer.request("hello", { session_id: "sess-00000000" }))).toEqual({
      code: ErrorCode.InvalidRequest,
      message: "unknown session: 'sess-00000000'",
    });
  });

  it("the connection's own id is accepted (the Python client heartbeats that way) and keeps the task", async () => {
    const { open } = await setup();
    const a = await startTagged(open, "own");
    expect((await a.peer.call("hello", { session_id: a.sid })).session_id).toBe(a.sid);
    expect(await a.peer.call("tasks.grade", { answer: 1 })).toMatchObject({ tag: "own" });
  });

  it("a null session_id is a plain hello", async () => {
    const { open } = await setup();
    const peer = await open();
    expect((await peer.call("hello", { session_id: null })).session_id).toMatch(/^sess-[0-9a-f]{8}$/);
  });
});

describe("cancel, bye, shutdown", () => {
  it("tasks.cancel runs the generator's cleanup and leaves no task", async () => {
    const { open, probe } = await setup();
    const a = await startTagged(open, "c");
    expect(await a.peer.call("tasks.cancel")).toEqual({ cancelled: true });
    expect(probe.finallyRan).toEqual(["c"]);
    expect(errorOf(await a.peer.request("tasks.grade", { answer: 1 })).message).toBe("no task in progress");
    // Cancel without a task is fine too.
    expect(await a.peer.call("tasks.cancel")).toEqual({ cancelled: true });
  });

  it("bye cancels the task, replies {goodbye: true}, then stops reading the connection", async () => {
    const { open, probe } = await setup();
    const a = await startTagged(open, "bye");
    // bye and a further request in the same write: only bye is answered.
    await a.peer.write(
      `${JSON.stringify({ jsonrpc: "2.0", id: 7, method: "bye" })}\n${JSON.stringify({ jsonrpc: "2.0", id: 8, method: "hello" })}\n`,
    );
    expect(await a.peer.next()).toEqual({ jsonrpc: "2.0", id: 7, result: { goodbye: true } });
    await a.peer.expectEof();
    expect(probe.finallyRan).toEqual(["bye"]);
    // Nothing was parked: the session is gone.
    const b = await open();
    expect(errorOf(await b.request("hello", { session_id: a.sid })).message).toBe(
      `unknown session: '${a.sid}'`,
    );
  });

  it("after bye the server releases the connection once the peer closes, even if it kept sending", async () => {
    const { open } = await setup();
    const sockets = () => process.getActiveResourcesInfo().filter((r) => r === "TCPSocketWrap").length;
    await waitUntil(() => sockets() === 0, "earlier tests' sockets are gone");
    const a = await open();
    await a.call("bye");
    await a.write(`${JSON.stringify({ jsonrpc: "2.0", id: 2, method: "hello" })}\n`);
    await a.close();
    await waitUntil(() => sockets() === 0, "the server closed its side too");
  });

  it("server close cancels every suspended task, live and parked, and drops live connections", async () => {
    const { open, probe, server } = await setup();
    const live = await startTagged(open, "live");
    const parked = await startTagged(open, "parked");
    await parked.peer.close();
    await server.close();
    expect(probe.finallyRan.sort()).toEqual(["live", "parked"]);
    await live.peer.readToEnd();
    expect(live.peer.ended).toBe(true);
    expect(server.sessionCount).toBe(0);
    // close() is idempotent.
    await server.close();
  });
});
