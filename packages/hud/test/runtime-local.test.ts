// LocalRuntime: environments served inside the test process, from a file, a live object, or a factory.
import { existsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { connect, Environment, HudError, Task } from "hud";
import { afterEach, describe, expect, it } from "vitest";
import { LocalRuntime } from "../src/runtime/local.ts";
import type { Lease, Placement } from "../src/runtime/placement.ts";
import { countingEnv, promptOf } from "./support/runtime-env.ts";

const quickstart = new URL("../../../examples/quickstart/env.ts", import.meta.url).pathname;
const leases: Lease[] = [];

afterEach(async () => {
  await Promise.allSettled(leases.splice(0).map((lease) => lease[Symbol.asyncDispose]()));
});

async function lease(placement: Placement, task: Task): Promise<Lease> {
  const acquired = await placement(task);
  leases.push(acquired);
  return acquired;
}

describe("LocalRuntime", () => {
  it("serves an env file; a client starts and grades a task; dispose stops serving", async () => {
    const runtime = new LocalRuntime(quickstart);
    const task = new Task({ env: "letters", id: "reverse", args: { word: "kiwi" } });
    const acquired = await lease(runtime, task);
    expect(acquired.url).toMatch(/^unix:\/\/\/.+\/control\.sock$/);
    const socketPath = acquired.url.slice("unix://".length);
    expect(statSync(dirname(socketPath)).mode & 0o777).toBe(0o700);
    const client = await connect(acquired.url);
    try {
      await client.startTask(task.id, task.args);
      expect((await client.grade({ answer: "iwik" })).score).toBe(1);
    } finally {
      await client.close();
    }
    await acquired[Symbol.asyncDispose]();
    expect(existsSync(dirname(socketPath))).toBe(false);
    await expect(connect(acquired.url, { readyTimeout: 0.3 })).rejects.toThrow(/not ready/);
  });

  it("runs a live environment's hooks per lease, one lease at a time", async () => {
    const { env, hooks } = countingEnv("live");
    const runtime = new LocalRuntime(env);
    const task = new Task({ env: "live", id: "hello" });
    const first = await lease(runtime, task);
    expect(hooks).toEqual({ started: 1, stopped: 0 });
    expect(await promptOf(first.url, "hello")).toBe("hello from live");

    let secondReady = false;
    const second = lease(runtime, task).then((l) => {
      secondReady = true;
      return l;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(secondReady).toBe(false);
    await first[Symbol.asyncDispose]();
    expect(hooks.stopped).toBe(1);
    const next = await second;
    expect(hooks).toEqual({ started: 2, stopped: 1 });
    expect(await promptOf(next.url, "hello")).toBe("hello from live");
  });

  it("builds an environment per lease from a factory", async () => {
    const made: string[] = [];
    const runtime = new LocalRuntime((task) => {
      made.push(task.env);
      return countingEnv(task.env).env;
    });
    const [a, b] = await Promise.all([
      lease(runtime, new Task({ env: "one", id: "hello" })),
      lease(runtime, new Task({ env: "two", id: "hello" })),
    ]);
    expect(made.sort()).toEqual(["one", "two"]);
    expect(await promptOf(a!.url, "hello")).toBe("hello from one");
    expect(await promptOf(b!.url, "hello")).toBe("hello from two");
  });

  it("reports failing and stuck initialize hooks, after running the shutdown hooks", async () => {
    const failing = new Environment({ name: "failing", version: "0" });
    let cleaned = 0;
    failing.initialize(async () => {
      throw new Error("database missing");
    });
    failing.shutdown(async () => {
      cleaned++;
    });
    const task = new Task({ env: "failing", id: "x" });
    await expect(new LocalRuntime(failing)(task)).rejects.toThrow(
      /environment 'failing' failed to start: database missing/,
    );
    expect(cleaned).toBe(1);

    const stuck = new Environment({ name: "stuck", version: "0" });
    stuck.initialize(() => new Promise(() => {}));
    await expect(new LocalRuntime(stuck, { readyTimeout: 0.2 })(task)).rejects.toThrow(
      /environment 'stuck' did not start within 0.2s/,
    );
  });

  it("rejects rows that need a container, and bad sources", async () => {
    const runtime = new LocalRuntime(countingEnv("c").env);
    const compose = new Task({ env: "c", id: "hello", runtime_config: { compose: "compose.yaml" } });
    const failure = runtime(compose);
    await expect(failure).rejects.toThrow(HudError);
    await expect(failure).rejects.toThrow(/runtime_config\.compose.*use DockerRuntime/);
    await expect(new LocalRuntime("/nonexistent/env.ts")(new Task({ env: "x", id: "y" }))).rejects.toThrow(
      /no such file or directory/,
    );
    await expect(
      new LocalRuntime(() => ({}) as Environment)(new Task({ env: "x", id: "y" })),
    ).rejects.toThrow(/not an Environment/);
    expect(() => new LocalRuntime(42 as unknown as string)).toThrow(/needs an env file path/);
  });
});
