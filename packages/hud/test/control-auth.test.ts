// Wire conformance over raw NDJSON: the optional shared-secret token on the first frame of every connection.
import { Capability, connect, ErrorCode, RpcError } from "hud";
import { describe, expect, it } from "vitest";
import { useCleanup } from "./support/cleanup.ts";
import { controlEnv } from "./support/control-env.ts";
import { errorOf, RawPeer } from "./support/raw-peer.ts";
import { serveRaw } from "./support/raw-server.ts";
import { echoServer } from "./support/tcp-backends.ts";

const defer = useCleanup();
const TOKEN = "s3cret-token";

async function setup(authToken?: string) {
  const echo = await echoServer();
  defer(() => echo.close());
  const { env, probe } = controlEnv();
  env.addCapability(
    new Capability({ name: "echo", protocol: "echo/1", url: `tcp://127.0.0.1:${echo.port}` }),
  );
  const { server, open } = await serveRaw(defer, env, authToken === undefined ? {} : { authToken });
  return { server, probe, open };
}

describe("with a token", () => {
  it.each([
    ["missing", {}],
    ["wrong", { auth_token: "guess" }],
    ["a prefix of it", { auth_token: TOKEN.slice(0, 4) }],
    ["not a string", { auth_token: 1234 }],
  ])(
    "a control first frame with the token %s gets -32001 and the connection closes",
    async (_label, params) => {
      const { open, probe } = await setup(TOKEN);
      const peer = await open();
      // Even a request that would run a task body must not run.
      peer.send({
        jsonrpc: "2.0",
        id: 1,
        method: "tasks.start",
        params: { ...params, id: "tagged", args: { tag: "t" } },
      });
      const frame = await peer.next();
      expect(frame.id).toBe(1);
      expect(errorOf(frame).code).toBe(ErrorCode.Unauthorized);
      await peer.expectEof();
      expect(probe.bodyRan).toEqual([]);
    },
  );

  it.each([
    ["missing", {}],
    ["wrong", { auth_token: "guess" }],
  ])(
    "a tunnel.open first frame with the token %s gets -32001 and the connection closes",
    async (_label, params) => {
      const { open } = await setup(TOKEN);
      const peer = await open();
      await peer.write(
        `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tunnel.open", params: { capability: "echo", ...params } })}\nping`,
      );
      expect(errorOf(await peer.next()).code).toBe(ErrorCode.Unauthorized);
      await peer.expectEof();
    },
  );

  it("the right token on the first frame opens a session; later frames need none", async () => {
    const { open } = await setup(TOKEN);
    const peer = await open();
    expect((await peer.call("hello", { auth_token: TOKEN })).session_id).toMatch(/^sess-/);
    expect(await peer.call("tasks.start", { id: "echo", args: { text: "in" } })).toEqual({
      prompt: "say in",
    });
    expect(await peer.call("tasks.grade", { answer: "in" })).toEqual({ score: 1 });
  });

  it("the token may come on any first request, not only hello", async () => {
    const { open } = await setup(TOKEN);
    const peer = await open();
    await peer.call("tasks.start", { id: "graded", args: { kind: "answer" }, auth_token: TOKEN });
    expect(await peer.call("tasks.grade", { answer: "a" })).toEqual({ score: 1, answer: "a" });
  });

  it("the right token on tunnel.open opens the stream", async () => {
    const { open } = await setup(TOKEN);
    const peer = await open();
    await peer.write(
      `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tunnel.open", params: { capability: "echo", auth_token: TOKEN } })}\nping`,
    );
    expect(await peer.next()).toEqual({ jsonrpc: "2.0", id: 1, result: { capability: "echo" } });
    expect((await peer.readBytes(4)).toString()).toBe("ping");
  });

  it("connect() with the token drives tasks and tunnels; without it fails at once with -32001", async () => {
    const { server } = await setup(TOKEN);
    const client = await connect(server.url, { authToken: TOKEN, readyTimeout: 10 });
    defer(() => client.close());
    expect((await client.startTask("echo", { text: "c" })).prompt).toBe("say c");
    const port = Number(new URL(client.binding("echo").url).port);
    const stream = await RawPeer.connect(port);
    defer(() => stream.destroy());
    await stream.write("through the forwarder");
    expect((await stream.readBytes(21)).toString()).toBe("through the forwarder");

    const refused = await connect(server.url, { readyTimeout: 10 }).catch((error: unknown) => error);
    expect(RpcError.is(refused)).toBe(true);
    expect((refused as RpcError).code).toBe(ErrorCode.Unauthorized);
  });
});

describe("without a token", () => {
  it("any first frame works, with or without an auth_token", async () => {
    const { open } = await setup();
    expect((await (await open()).call("hello")).session_id).toMatch(/^sess-/);
    expect((await (await open()).call("hello", { auth_token: "anything" })).session_id).toMatch(/^sess-/);
    const tunnel = await open();
    await tunnel.write(
      `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tunnel.open", params: { capability: "echo" } })}\nhi`,
    );
    expect((await tunnel.next()).result).toEqual({ capability: "echo" });
    expect((await tunnel.readBytes(2)).toString()).toBe("hi");
  });
});
