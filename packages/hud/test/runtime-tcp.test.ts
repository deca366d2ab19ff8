// Runtime(url): the address of a server someone else started is itself a placement and its own lease.
import { bind, connect, Environment, type HudServer, Task } from "hud";
import { afterEach, describe, expect, it } from "vitest";
import type { Placement } from "../src/runtime/placement.ts";
import { Runtime } from "../src/runtime/tcp.ts";

let server: HudServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("Runtime", () => {
  it("leases itself; disposing leaves the server running", async () => {
    const env = new Environment({ name: "remote", version: "1.0.0" });
    env.template("ping", async function* () {
      yield "ping";
      yield 1;
    });
    server = await bind(env, { host: "127.0.0.1", port: 0 });
    const runtime = new Runtime(server.url, { params: { ready_timeout: 5 } });
    const placement: Placement = runtime;
    const lease = await placement(new Task({ env: "remote", id: "ping" }));
    expect(lease).toBe(runtime);
    expect(lease.url).toBe(server.url);
    expect(lease.params).toEqual({ ready_timeout: 5 });
    expect(runtime).toBeInstanceOf(Runtime);
    await lease[Symbol.asyncDispose]();
    const client = await connect(lease.url);
    try {
      expect(client.env).toEqual({ name: "remote", version: "1.0.0" });
    } finally {
      await client.close();
    }
  });

  it("adds tcp:// to a bare host:port", () => {
    expect(new Runtime("127.0.0.1:8765").url).toBe("tcp://127.0.0.1:8765");
  });

  it("rejects urls it could never connect to when constructed", () => {
    expect(() => new Runtime("http://127.0.0.1:8765")).toThrow(/control transport 'http' is not supported/);
    expect(() => new Runtime("tcp://127.0.0.1")).toThrow(/has no port/);
    expect(() => new Runtime("tcp://[::1")).toThrow(/invalid control url/);
  });
});
