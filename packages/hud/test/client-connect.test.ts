// connect(): readiness retries against flaky, closing and silent peers; control url parsing; session resume.
import { bind, connect, ErrorCode, HudError, RpcError } from "hud";
import { describe, expect, it } from "vitest";
import { useCleanup } from "./support/cleanup.ts";
import { controlEnv } from "./support/control-env.ts";
import type { RawPeer } from "./support/raw-peer.ts";
import { stubServer, unusedPort } from "./support/tcp-backends.ts";

const defer = useCleanup();

const HELLO = { session_id: "sess-0000abcd", env: { name: "stub", version: "9" }, bindings: [] };

/** Answer hello like a server would; keep the connection open. */
async function answerHello(peer: RawPeer): Promise<void> {
  const request = await peer.next();
  peer.send({ jsonrpc: "2.0", id: request.id, result: HELLO });
}

async function stub(onPeer: (peer: RawPeer, index: number) => void | Promise<void>) {
  const server = await stubServer(onPeer);
  defer(() => server.close());
  return server;
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!("error" in outcome)) throw new Error("expected a rejection");
  expect(outcome.error).toBeInstanceOf(Error);
  return outcome.error as Error;
}

describe("readiness", () => {
  it("retries a server that accepts then closes twice, and connects on the third (python-sdk case 2)", async () => {
    const server = await stub(async (peer, index) => {
      if (index < 2) {
        peer.destroy();
        return;
      }
      await answerHello(peer);
    });
    const client = await connect(`tcp://127.0.0.1:${server.port}`, { readyTimeout: 10 });
    defer(() => client.close());
    expect(client.env).toEqual({ name: "stub", version: "9" });
    expect(client.sessionId).toBe("sess-0000abcd");
    expect(server.accepted).toBe(3);
  });

  it("a peer that always closes after reading hello fails after readyTimeout, naming the closed connection (case 7)", async () => {
    const server = await stub(async (peer) => {
      await peer.next();
      peer.destroy();
    });
    const error = await failure(connect(`tcp://127.0.0.1:${server.port}`, { readyTimeout: 1.2 }));
    expect(HudError.is(error)).toBe(true);
    expect(error.message).toContain("not ready after 1.2s");
    expect(error.message).toContain("closed connection during 'hello'");
    expect(error.message).not.toContain("\n");
    expect(server.accepted).toBeGreaterThan(1);
  });

  it("a silent peer that never answers hello fails after readyTimeout instead of hanging", async () => {
    const server = await stub(() => {});
    const error = await failure(connect(`tcp://127.0.0.1:${server.port}`, { readyTimeout: 1 }));
    expect(HudError.is(error)).toBe(true);
    expect(error.message).toContain("not ready after 1s");
    expect(error.message).toContain("no reply");
  });

  it("nothing listening fails after readyTimeout with the refusal", async () => {
    const port = await unusedPort();
    const error = await failure(connect(`tcp://127.0.0.1:${port}`, { readyTimeout: 0.5 }));
    expect(HudError.is(error)).toBe(true);
    expect(error.message).toContain("ECONNREFUSED");
  });

  it("waits for a server that starts listening later", async () => {
    const { env } = controlEnv();
    const port = await unusedPort();
    const late = new Promise<Awaited<ReturnType<typeof bind>>>((resolve, reject) => {
      setTimeout(() => bind(env, { port }).then(resolve, reject), 400);
    });
    defer(async () => (await late).close());
    const client = await connect(`tcp://127.0.0.1:${port}`, { readyTimeout: 10 });
    defer(() => client.close());
    expect(client.env?.name).toBe("wire-test");
  });

  it("an error reply to hello is final: no retry", async () => {
    const server = await stub(async (peer) => {
      const request = await peer.next();
      peer.send({ jsonrpc: "2.0", id: request.id, error: { code: -32099, message: "go away" } });
    });
    const error = await failure(connect(`tcp://127.0.0.1:${server.port}`, { readyTimeout: 10 }));
    expect(RpcError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: -32099, message: "go away" });
    expect(server.accepted).toBe(1);
  });

  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])("rejects readyTimeout %s", async (readyTimeout) => {
    const error = await failure(connect("tcp://127.0.0.1:1", { readyTimeout }));
    expect(HudError.is(error)).toBe(true);
    expect(error.message).toContain("readyTimeout");
  });
});

describe("control url", () => {
  it.each([
    ["tcp://127.0.0.1", "no port"],
    ["127.0.0.1", "no port"],
    ["http://127.0.0.1:8765", "'http' is not supported"],
    ["ws://127.0.0.1:8765", "'ws' is not supported"],
    ["tcp://127.0.0.1:99999", "invalid control url"],
    ["tcp://", "invalid control url"],
  ])("%s fails at once with one clear line (%s)", async (url, text) => {
    const error = await failure(connect(url, { readyTimeout: 10 }));
    expect(HudError.is(error)).toBe(true);
    expect(error.message).toContain(text);
    expect(error.message).not.toContain("\n");
  });

  it("accepts host:port without a scheme", async () => {
    const { env } = controlEnv();
    const server = await bind(env);
    defer(() => server.close());
    const client = await connect(`127.0.0.1:${server.port}`, { readyTimeout: 10 });
    defer(() => client.close());
    expect(client.env).toEqual({ name: "wire-test", version: "1.2.3" });
  });
});

describe("sessions", () => {
  it("sessionId resumes a parked session; an unknown one is an error reply", async () => {
    const { env } = controlEnv();
    const server = await bind(env);
    defer(() => server.close());
    const first = await connect(server.url, { readyTimeout: 10 });
    await first.startTask("tagged", { tag: "resume-me" });
    const sid = first.sessionId!;
    await first.close();
    const second = await connect(server.url, { readyTimeout: 10, sessionId: sid });
    defer(() => second.close());
    expect(second.sessionId).toBe(sid);
    expect(await second.grade({ answer: "ok" })).toMatchObject({ score: 1, tag: "resume-me" });
    const error = await failure(connect(server.url, { readyTimeout: 10, sessionId: "sess-ffffffff" }));
    expect(error).toMatchObject({
      code: ErrorCode.InvalidRequest,
      message: "unknown session: 'sess-ffffffff'",
    });
  });
});
