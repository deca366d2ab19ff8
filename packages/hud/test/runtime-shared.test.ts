// Shared: many leases over one booted substrate per (env, runtime_config), bounded by width.
import { type AddressInfo, createServer } from "node:net";
import { connect, HudError, Runtime, Task } from "hud";
import { afterEach, describe, expect, it } from "vitest";
import { helloMemoOf } from "../src/client/client.ts";
import { LocalRuntime } from "../src/runtime/local.ts";
import type { Lease } from "../src/runtime/placement.ts";
import { Shared } from "../src/runtime/shared.ts";
import { countingEnv } from "./support/runtime-env.ts";

/** A placement that records boots and teardowns; `failBoots` makes the next N boots fail. */
function fakePlacement() {
  const state = { boots: 0, teardowns: 0, failBoots: 0, failTeardown: false };
  const placement = async (task: Task): Promise<Lease> => {
    state.boots++;
    if (state.failBoots > 0) {
      state.failBoots--;
      throw new Error(`boot ${state.boots} failed`);
    }
    const n = state.boots;
    return {
      url: `tcp://127.0.0.1:${10000 + n}`,
      params: { env: task.env },
      async [Symbol.asyncDispose]() {
        state.teardowns++;
        if (state.failTeardown) throw new Error(`teardown of ${n} failed`);
      },
    };
  };
  return { state, placement };
}

const opened: Shared[] = [];
function shared(...args: ConstructorParameters<typeof Shared>): Shared {
  const placement = new Shared(...args);
  opened.push(placement);
  return placement;
}

afterEach(async () => {
  await Promise.allSettled(opened.splice(0).map((s) => s.close()));
});

/** Whether `promise` has settled once pending callbacks have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((resolve) => setTimeout(resolve, 20));
  return done;
}

const task = new Task({ env: "e", id: "t" });

describe("Shared", () => {
  it("boots once for a group of leases and admits at most width at a time", async () => {
    const { state, placement } = fakePlacement();
    const runtime = shared(placement, { width: 2 });
    const a = await runtime(task);
    const b = await runtime(task);
    expect(a.url).toBe(b.url);
    // The substrate's params, plus one hello memo shared by its leases.
    expect(Object.fromEntries(Object.entries(a.params ?? {}))).toEqual({ env: "e" });
    expect(helloMemoOf(a.params)).toBeDefined();
    expect(helloMemoOf(a.params)).toBe(helloMemoOf(b.params));
    const c = runtime(task);
    expect(await settled(c)).toBe(false);
    await a[Symbol.asyncDispose]();
    await a[Symbol.asyncDispose]();
    expect((await c).url).toBe(a.url);
    const d = runtime(task);
    expect(await settled(d)).toBe(false);
    await b[Symbol.asyncDispose]();
    await d;
    expect(state.boots).toBe(1);
    expect(state.teardowns).toBe(0);
  });

  it("keeps one substrate per environment and runtime_config", async () => {
    const { state, placement } = fakePlacement();
    const runtime = shared(placement, { width: 1 });
    const limits = { limits: { startup_timeout_s: 5, run_timeout_s: 60 } };
    const reordered = { limits: { run_timeout_s: 60, startup_timeout_s: 5 } };
    const x = await runtime(new Task({ env: "e", id: "t", runtime_config: limits }));
    const y = await runtime(new Task({ env: "other", id: "t" }));
    expect(x.url).not.toBe(y.url);
    await x[Symbol.asyncDispose]();
    const z = await runtime(new Task({ env: "e", id: "u", runtime_config: reordered }));
    expect(z.url).toBe(x.url);
    expect(state.boots).toBe(2);
  });

  it("fails only the lease whose boot failed; the next acquisition boots again", async () => {
    const { state, placement } = fakePlacement();
    state.failBoots = 1;
    const runtime = shared(placement, { width: 1 });
    await expect(runtime(task)).rejects.toThrow("boot 1 failed");
    const lease = await runtime(task);
    expect(lease.url).toBe("tcp://127.0.0.1:10002");
    expect(state.boots).toBe(2);
  });

  it("reboots after run_timeout_s, once the leases in use are released", async () => {
    const { state, placement } = fakePlacement();
    const runtime = shared(placement, { width: 2 });
    const limited = new Task({ env: "e", id: "t", runtime_config: { limits: { run_timeout_s: 0.05 } } });
    const first = await runtime(limited);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const next = runtime(limited);
    expect(await settled(next)).toBe(false);
    await first[Symbol.asyncDispose]();
    const rebooted = await next;
    expect(rebooted.url).not.toBe(first.url);
    expect(state).toMatchObject({ boots: 2, teardowns: 1 });
  });

  it("tears every substrate down at close, surfaces teardown errors, and refuses leases afterwards", async () => {
    const { state, placement } = fakePlacement();
    const runtime = shared(placement, { width: 1 });
    await runtime(new Task({ env: "a", id: "t" }));
    await runtime(new Task({ env: "b", id: "t" }));
    const waiting = runtime(new Task({ env: "a", id: "t" }));
    state.failTeardown = true;
    await expect(runtime.close()).rejects.toThrow(/2 substrates failed to tear down/);
    expect(state.teardowns).toBe(2);
    await expect(waiting).rejects.toThrow(HudError);
    await expect(runtime(task)).rejects.toThrow(/Shared placement is closed/);
  });

  it("checks width", () => {
    const { placement } = fakePlacement();
    expect(() => new Shared(placement, { width: 0 })).toThrow(/width must be a whole number of at least 1/);
    expect(() => new Shared(placement, { width: 1.5 })).toThrow(HudError);
  });

  it("lets several rollouts share one started LocalRuntime environment", async () => {
    const { env, hooks } = countingEnv("pool");
    const runtime = shared(new LocalRuntime(env), { width: 3 });
    const poolTask = new Task({ env: "pool", id: "hello" });
    const leases = await Promise.all([runtime(poolTask), runtime(poolTask), runtime(poolTask)]);
    const clients = await Promise.all(leases.map((lease) => connect(lease.url)));
    try {
      const prompts = await Promise.all(clients.map((client) => client.startTask("hello")));
      expect(prompts.map((p) => p.prompt)).toEqual(["hello from pool", "hello from pool", "hello from pool"]);
    } finally {
      await Promise.all(clients.map((client) => client.close()));
    }
    await Promise.all(leases.map((lease) => lease[Symbol.asyncDispose]()));
    expect(hooks).toEqual({ started: 1, stopped: 0 });
    await runtime[Symbol.asyncDispose]();
    expect(hooks).toEqual({ started: 1, stopped: 1 });
  });
});

describe("Shared: one hello per server", () => {
  /** A scripted control server that records, per connection, the methods it was sent. */
  async function scriptedServer() {
    const connections: string[][] = [];
    const server = createServer((socket) => {
      const methods: string[] = [];
      connections.push(methods);
      let buffered = "";
      socket.setEncoding("utf8");
      socket.on("error", () => {});
      socket.on("data", (chunk: string) => {
        buffered += chunk;
        for (let at = buffered.indexOf("\n"); at >= 0; at = buffered.indexOf("\n")) {
          const frame = JSON.parse(buffered.slice(0, at));
          buffered = buffered.slice(at + 1);
          methods.push(frame.method);
          const result =
            frame.method === "hello"
              ? {
                  session_id: `sess-${String(connections.length).padStart(8, "0")}`,
                  env: { name: "scripted", version: "1" },
                  bindings: [{ name: "echo", protocol: "echo/1", url: "tcp://127.0.0.1:9" }],
                }
              : frame.method === "tasks.start"
                ? { prompt: "go" }
                : { score: 1 };
          socket.write(`${JSON.stringify({ jsonrpc: "2.0", id: frame.id, result })}\n`);
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    return { url: `tcp://127.0.0.1:${port}`, connections, close: () => server.close() };
  }

  it("greets a substrate's server once: later rollouts skip hello and keep its bindings", async () => {
    const scripted = await scriptedServer();
    const shared = new Shared(new Runtime(scripted.url), { width: 4 });
    try {
      const seen: string[][] = [];
      const job = await new Task({ env: "scripted", id: "t" }).run(
        async (run) => {
          seen.push(run.bindings.map((b) => b.name));
          run.trace.content = "done";
        },
        { runtime: shared, group: 6, maxConcurrent: 1 },
      );
      expect(job.reward).toBe(1);
      expect(scripted.connections[0]).toEqual(["hello", "tasks.start", "tasks.grade"]);
      expect(scripted.connections.slice(1)).toEqual(Array(5).fill(["tasks.start", "tasks.grade"]));
      // The bindings of the one hello reach every rollout (through its own forwarders).
      expect(seen).toEqual(Array(6).fill(["echo"]));
    } finally {
      await shared.close();
      scripted.close();
    }
  });

  it("says hello on every connection without Shared, and again after a substrate reboots", async () => {
    const scripted = await scriptedServer();
    try {
      const task = new Task({ env: "scripted", id: "t" });
      const done = async (run: { trace: { content?: string } }) => {
        run.trace.content = "done";
      };
      await task.run(done, { runtime: new Runtime(scripted.url), group: 2, maxConcurrent: 1 });
      expect(scripted.connections.map((c) => c[0])).toEqual(["hello", "hello"]);
      const expiring = new Task({
        env: "scripted",
        id: "t",
        runtime_config: { limits: { run_timeout_s: 0.2 } },
      });
      const shared = new Shared(new Runtime(scripted.url), { width: 1 });
      try {
        await expiring.run(done, { runtime: shared, group: 2, maxConcurrent: 1 });
        await new Promise((resolve) => setTimeout(resolve, 250));
        await expiring.run(done, { runtime: shared });
      } finally {
        await shared.close();
      }
      expect(scripted.connections.slice(2).map((c) => c[0])).toEqual(["hello", "tasks.start", "hello"]);
    } finally {
      scripted.close();
    }
  });
});
