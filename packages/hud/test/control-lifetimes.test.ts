// How long server-side task state lives: parked tasks expire, and a grade whose runner is gone is told to stop.
import { Environment } from "hud";
import { describe, expect, it } from "vitest";
import { useCleanup } from "./support/cleanup.ts";
import { errorOf, type RawPeer } from "./support/raw-peer.ts";
import { serveRaw } from "./support/raw-server.ts";
import { waitUntil } from "./support/wait.ts";

const defer = useCleanup();

function lifetimesEnv() {
  const events: string[] = [];
  const env = new Environment({ name: "lifetimes" });
  env.template("parked", async function* () {
    try {
      yield "waiting to be graded";
      yield 1;
    } finally {
      events.push("parked: cleanup");
    }
  });
  env.template("slow-grade", async function* (_args, { signal }) {
    yield "grading takes a while";
    events.push("grading started");
    await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
    events.push(`grading stopped: ${(signal.reason as Error).message}`);
    yield 0;
  });
  return { env, events };
}

describe("parked tasks", () => {
  it("are cancelled (cleanup runs) once nobody resumed or graded them within parkTtl", async () => {
    const { env, events } = lifetimesEnv();
    const { server, open } = await serveRaw(defer, env, { parkTtl: 0.2 });
    const first = await open();
    await first.call("tasks.start", { id: "parked" });
    first.destroy();
    await waitUntil(() => events.includes("parked: cleanup"), "the parked task's cleanup");
    expect(server.sessionCount).toBe(0);
    const second = await open();
    expect(errorOf(await second.request("tasks.grade", { answer: "x" })).message).toBe("no task in progress");
  });

  it("survive past parkTtl = 0 and are adopted later", async () => {
    const { env, events } = lifetimesEnv();
    const { open } = await serveRaw(defer, env, { parkTtl: 0 });
    const first = await open();
    await first.call("tasks.start", { id: "parked" });
    first.destroy();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = await open();
    expect((await second.call("tasks.grade", { answer: "x" })).score).toBe(1);
    expect(events).toEqual(["parked: cleanup"]);
  });
});

describe("a grade in flight", () => {
  it("sees its signal abort when the runner's connection closes", async () => {
    const { env, events } = lifetimesEnv();
    const { open } = await serveRaw(defer, env);
    const peer: RawPeer = await open();
    await peer.call("tasks.start", { id: "slow-grade" });
    peer.send({ jsonrpc: "2.0", id: 9, method: "tasks.grade", params: { answer: "x" } });
    await waitUntil(() => events.includes("grading started"), "grading to start");
    peer.destroy();
    await waitUntil(() => events.length === 2, "the template to see the abort");
    expect(events[1]).toBe("grading stopped: the runner's connection closed");
  });
});
