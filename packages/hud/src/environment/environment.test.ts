// Environment: lifecycle hooks (order, idempotence, failures) and the capability registry.
import { describe, expect, it } from "vitest";
import { Capability } from "../capabilities/capability.ts";
import { Environment } from "./environment.ts";

function ssh(url: string, name = "shell"): Capability {
  return Capability.ssh({ name, url, hostPubkey: "k" });
}

describe("Environment lifecycle", () => {
  it("runs initialize hooks in order and shutdown hooks in reverse", async () => {
    const env = new Environment({ name: "e" });
    const calls: string[] = [];
    env.initialize(() => calls.push("init 1")).initialize(async () => calls.push("init 2"));
    env.shutdown(() => calls.push("stop 1")).shutdown(async () => calls.push("stop 2"));
    await env.start();
    await env.stop();
    expect(calls).toEqual(["init 1", "init 2", "stop 2", "stop 1"]);
  });

  it("start() runs the hooks once, however often and concurrently it is called", async () => {
    const env = new Environment({ name: "e" });
    let runs = 0;
    env.initialize(async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 5));
    });
    await Promise.all([env.start(), env.start()]);
    await env.start();
    expect(runs).toBe(1);
  });

  it("can start again after stopping", async () => {
    const env = new Environment({ name: "e" });
    let runs = 0;
    env.initialize(() => runs++);
    await env.start();
    await env.stop();
    await env.start();
    expect(runs).toBe(2);
  });

  it("runs every shutdown hook even when one throws, then throws the first error", async () => {
    const env = new Environment({ name: "e" });
    const calls: string[] = [];
    env.shutdown(() => calls.push("first registered"));
    env.shutdown(() => {
      throw new Error("boom");
    });
    env.shutdown(() => {
      calls.push("last registered");
      throw new Error("bang");
    });
    await expect(env.stop()).rejects.toThrow("bang");
    expect(calls).toEqual(["last registered", "first registered"]);
  });

  it("a failing initialize hook fails start()", async () => {
    const env = new Environment({ name: "e" });
    env.initialize(() => {
      throw new Error("no daemon");
    });
    await expect(env.start()).rejects.toThrow("no daemon");
  });
});

describe("Environment capabilities", () => {
  it("addCapability replaces a same-named entry and keeps the others", () => {
    const env = new Environment({ name: "e", capabilities: [ssh("a"), ssh("b", "other")] });
    env.addCapability(ssh("c"));
    expect(env.capabilities.map((c) => [c.name, c.url])).toEqual([
      ["shell", "ssh://c:22"],
      ["other", "ssh://b:22"],
    ]);
    expect(env.capability("shell")?.url).toBe("ssh://c:22");
    expect(env.capability("missing")).toBeUndefined();
  });

  it("accepts a plain manifest object (e.g. from another copy of the package)", () => {
    const env = new Environment({ name: "e" });
    const added = env.addCapability({
      name: "tools",
      protocol: "mcp/2025-11-25",
      url: "ws://h:1/",
    } as Capability);
    expect(added).toBeInstanceOf(Capability);
    expect(env.capability("tools")?.params.transport).toBe("websocket");
  });

  it("removeCapability drops it", () => {
    const env = new Environment({ name: "e", capabilities: [ssh("a")] });
    expect(env.removeCapability("shell")).toBe(true);
    expect(env.capabilities).toEqual([]);
  });
});

describe("Environment", () => {
  it("needs a name and defaults the version", () => {
    expect(() => new Environment({} as never)).toThrow(/'name' must be a non-empty string/);
    expect(() => new Environment(undefined as never)).toThrow(/'name'/);
    expect(new Environment({ name: "e" }).version).toBe("0.0.0");
  });

  it("is recognized across copies of the package", () => {
    expect(Environment.is(new Environment({ name: "e" }))).toBe(true);
    expect(Environment.is({ name: "e" })).toBe(false);
  });
});
