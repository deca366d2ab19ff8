// Wire conformance over raw NDJSON: tunnel.open as the first frame splices to a published capability.
import { randomBytes } from "node:crypto";
import { Capability, ErrorCode } from "hud";
import { describe, expect, it } from "vitest";
import { useCleanup } from "./support/cleanup.ts";
import { controlEnv } from "./support/control-env.ts";
import { errorOf, type Frame } from "./support/raw-peer.ts";
import { serveRaw } from "./support/raw-server.ts";
import { digestServer, echoServer, sha256, unusedPort } from "./support/tcp-backends.ts";
import { waitUntil } from "./support/wait.ts";

const defer = useCleanup();

async function setup() {
  const echo = await echoServer();
  defer(() => echo.close());
  const digest = await digestServer();
  defer(() => digest.close());
  const { env } = controlEnv();
  env.addCapability(
    new Capability({ name: "echo", protocol: "echo/1", url: `tcp://127.0.0.1:${echo.port}` }),
  );
  env.addCapability(
    new Capability({ name: "digest", protocol: "digest/1", url: `tcp://127.0.0.1:${digest.port}` }),
  );
  env.addCapability(new Capability({ name: "portless", protocol: "custom/1", url: "custom://127.0.0.1" }));
  env.addCapability(
    new Capability({ name: "down", protocol: "echo/1", url: `tcp://127.0.0.1:${await unusedPort()}` }),
  );
  const { server, open } = await serveRaw(defer, env);
  return { server, open, echo, digest };
}

function openFrame(capability: unknown, id: number | string = 1): string {
  return `${JSON.stringify({ jsonrpc: "2.0", id, method: "tunnel.open", params: { capability } })}\n`;
}

describe("tunnel.open", () => {
  it("hello publishes each capability as {name, protocol, url, params}", async () => {
    const { open, echo } = await setup();
    const { bindings } = await (await open()).call("hello");
    expect((bindings as Frame[]).find((b) => b.name === "echo")).toEqual({
      name: "echo",
      protocol: "echo/1",
      url: `tcp://127.0.0.1:${echo.port}`,
      params: {},
    });
    expect((bindings as Frame[]).map((b) => b.name)).toEqual(["echo", "digest", "portless", "down"]);
  });

  it("replies {capability} with the request id, then pipes raw bytes both ways", async () => {
    const { open } = await setup();
    const peer = await open();
    await peer.write(openFrame("echo", 7));
    expect(await peer.nextLine()).toBe('{"jsonrpc":"2.0","id":7,"result":{"capability":"echo"}}');
    await peer.write("not json, just bytes\n{\n");
    expect((await peer.readBytes(23)).toString()).toBe("not json, just bytes\n{\n");
  });

  it("delivers bytes sent in the same write as the tunnel.open frame, and before its reply", async () => {
    const { open } = await setup();
    const peer = await open();
    const head = randomBytes(64 * 1024);
    const tail = randomBytes(1024);
    await peer.write(Buffer.concat([Buffer.from(openFrame("echo")), head]));
    await peer.write(tail);
    expect((await peer.next()).result).toEqual({ capability: "echo" });
    const body = Buffer.concat([head, tail]);
    expect(sha256(await peer.readBytes(body.length))).toBe(sha256(body));
  });

  it("propagates half-close: the backend sees EOF and its reply still arrives, then EOF", async () => {
    const { open } = await setup();
    const peer = await open();
    const body = randomBytes(3 * 1024 * 1024);
    await peer.write(openFrame("digest"));
    expect((await peer.next()).result).toEqual({ capability: "digest" });
    await peer.write(body);
    peer.end();
    expect((await peer.readToEnd()).toString()).toBe(`${body.length} ${sha256(body)}\n`);
  });

  it("tunnels and control sessions share one server without interfering", async () => {
    const { open } = await setup();
    const control = await open();
    await control.call("tasks.start", { id: "echo", args: { text: "t" } });
    const tunnel = await open();
    await tunnel.write(`${openFrame("echo")}{"jsonrpc":"2.0","id":2,"method":"tasks.grade"}\n`);
    expect((await tunnel.next()).result).toEqual({ capability: "echo" });
    // Frames after the reply are stream bytes for the backend, not requests.
    expect(await tunnel.next()).toEqual({ jsonrpc: "2.0", id: 2, method: "tasks.grade" });
    expect(await control.call("tasks.grade", { answer: "t" })).toEqual({ score: 1 });
  });

  it("an unknown capability is -32602 naming it, then the connection closes (python-sdk case 23)", async () => {
    const { open } = await setup();
    const peer = await open();
    await peer.write(openFrame("nonexistent"));
    const error = errorOf(await peer.next());
    expect(error.code).toBe(ErrorCode.InvalidParams);
    expect(error.message).toContain("nonexistent");
    await peer.expectEof();
  });

  it.each([[undefined], [""], [42]])(
    "a missing or malformed capability name (%j) is -32602, then close",
    async (name) => {
      const { open } = await setup();
      const peer = await open();
      await peer.write(openFrame(name));
      expect(errorOf(await peer.next()).code).toBe(ErrorCode.InvalidParams);
      await peer.expectEof();
    },
  );

  it("a capability whose url has no host:port is -32602, then close", async () => {
    const { open } = await setup();
    const peer = await open();
    await peer.write(openFrame("portless"));
    const error = errorOf(await peer.next());
    expect(error.code).toBe(ErrorCode.InvalidParams);
    expect(error.message).toContain("portless");
    await peer.expectEof();
  });

  it("an unreachable backend is -32000, then close; the server keeps serving", async () => {
    const { open } = await setup();
    const peer = await open();
    await peer.write(openFrame("down"));
    const error = errorOf(await peer.next());
    expect(error.code).toBe(ErrorCode.ServerError);
    expect(error.message).toContain("down");
    await peer.expectEof();
    const next = await open();
    await next.write(openFrame("echo"));
    expect((await next.next()).result).toEqual({ capability: "echo" });
  });

  it("closing the client side closes the backend connection", async () => {
    const { open, echo } = await setup();
    const peer = await open();
    await peer.write(openFrame("echo"));
    await peer.next();
    await waitUntil(() => echo.open === 1, "the backend accepted");
    await peer.close();
    await waitUntil(() => echo.open === 0, "the backend connection closed");
  });

  it("server close drops open tunnels and their backend connections", async () => {
    const { open, echo, server } = await setup();
    const peer = await open();
    await peer.write(openFrame("echo"));
    await peer.next();
    await waitUntil(() => echo.open === 1, "the backend accepted");
    await server.close();
    await peer.readToEnd();
    expect(peer.ended).toBe(true);
    await waitUntil(() => echo.open === 0, "the backend connection closed");
  });
});
