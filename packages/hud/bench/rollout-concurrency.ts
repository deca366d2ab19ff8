// Benchmark: many concurrent rollouts of a waiting agent against one served environment — wall time and memory.
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import {
  type Agent,
  type Lease,
  LocalRuntime,
  type Placement,
  Runtime,
  Shared,
  SubprocessRuntime,
  Task,
} from "hud";
import { SpawnedServer } from "../src/runtime/spawned-server.ts";
import { type Figure, median } from "./measure.ts";
import { bareSession, noopEnvironment } from "./rollout-throughput.ts";

const MiB = 1024 * 1024;
const envFile = fileURLToPath(new URL("./rollout-env.ts", import.meta.url));
const cliFile = fileURLToPath(new URL("../src/cli/bin.ts", import.meta.url));
const task = new Task({ env: "bench", id: "noop" });

// A collection before each job, so growth is measured from live objects only.
setFlagsFromString("--expose-gc");
const collectGarbage = runInNewContext("gc") as () => void;

interface JobSample {
  /** Wall time of the whole job, ms. */
  wall: number;
  /** Growth of this process from before the job to when every agent was waiting, bytes. */
  heap: number;
  rss: number;
  /** Resident set size at peak, bytes. */
  peakRss: number;
  reward: number;
}

/** One job of `rollouts` repeats of one task on `placement`, all in flight at once, each agent waiting `waitMs`. */
async function concurrentJob(placement: Placement, rollouts: number, waitMs: number): Promise<JobSample> {
  collectGarbage();
  const before = process.memoryUsage();
  let waiting = 0;
  let peak = before;
  const agent: Agent = async (run) => {
    if (++waiting === rollouts) peak = process.memoryUsage();
    await sleep(waitMs);
    run.trace.content = "done";
  };
  const start = performance.now();
  const job = await task.run(agent, { runtime: placement, group: rollouts, maxConcurrent: rollouts });
  const wall = performance.now() - start;
  if (waiting !== rollouts) throw new Error(`only ${waiting} of ${rollouts} rollouts reached their agent`);
  const heap = peak.heapUsed - before.heapUsed;
  return { wall, heap, rss: peak.rss - before.rss, peakRss: peak.rss, reward: job.reward };
}

/** The same conversations as raw NDJSON sessions against the same server: what the protocol alone costs. */
async function bareJob(lease: Lease, rollouts: number, waitMs: number): Promise<number> {
  const start = performance.now();
  await Promise.all(Array.from({ length: rollouts }, () => bareSession(lease.url, () => sleep(waitMs))));
  return performance.now() - start;
}

/** The ideal: the same number of `waitMs` waits, all at once, with nothing else to do. */
async function idealJob(rollouts: number, waitMs: number): Promise<number> {
  const start = performance.now();
  await Promise.all(Array.from({ length: rollouts }, () => sleep(waitMs)));
  return performance.now() - start;
}

/** A Shared placement over `inner`, booted, with one slot held for the bare sessions' use of its server. */
async function served(inner: Placement, width: number): Promise<{ shared: Shared; lease: Lease }> {
  const shared = new Shared(inner, { width: width + 1 });
  return { shared, lease: await shared(task) };
}

export async function concurrentRollouts(options: {
  runs: number;
  rollouts: number;
  waitMs: number;
}): Promise<Figure> {
  const { rollouts, waitMs } = options;
  const child = await served(new SubprocessRuntime(envFile), rollouts);
  const local = await served(new LocalRuntime(noopEnvironment()), rollouts);
  // The same environment served by a child on loopback TCP, as `hud serve --port 0` does, for comparison.
  const tcpChild = await SpawnedServer.start({
    command: process.execPath,
    args: ["--conditions=hud-source", cliFile, "serve", envFile, "--host", "127.0.0.1", "--port", "0"],
    cwd: process.cwd(),
    env: { ...process.env } as Record<string, string>,
    readyTimeout: 60,
    killTimeout: 5,
    source: envFile,
  });
  const overTcp = new Runtime(tcpChild.url);
  try {
    // Warm-up: the very job once, so the samples measure code the JIT has compiled (the first job of a
    // process is slower; the note gives it).
    const cold = await concurrentJob(child.shared, rollouts, waitMs);
    await concurrentJob(local.shared, rollouts, waitMs);
    const ideal: number[] = [];
    const bare: number[] = [];
    const inChild: JobSample[] = [];
    const inProcess: JobSample[] = [];
    const tcp: JobSample[] = [];
    for (let i = 0; i < options.runs; i++) {
      ideal.push(await idealJob(rollouts, waitMs));
      inChild.push(await concurrentJob(child.shared, rollouts, waitMs));
      bare.push(await bareJob(child.lease, rollouts, waitMs));
      inProcess.push(await concurrentJob(local.shared, rollouts, waitMs));
    }
    // Last, not interleaved: each TCP job leaves 1,000 connections in TIME_WAIT behind it.
    await concurrentJob(overTcp, rollouts, waitMs);
    for (let i = 0; i < 3; i++) tcp.push(await concurrentJob(overTcp, rollouts, waitMs));
    const ms = (values: number[]) => values.map((v) => v.toFixed(0)).join(" ");
    const perRollout = (bytes: number) => `${(bytes / rollouts / 1024).toFixed(0)} KiB`;
    const heap = median(inProcess.map((s) => s.heap));
    const rss = median(inProcess.map((s) => s.rss));
    const within = Math.max(heap, rss) / rollouts <= MiB;
    const n = rollouts.toLocaleString("en-US");
    return {
      name: `${n} concurrent rollouts`,
      value: median(inChild.map((s) => s.wall)),
      floor: median(ideal),
      floorName: `${n} concurrent ${waitMs} ms waits`,
      unit: "ms",
      better: "lower",
      target: 1.3,
      notes: [
        `env served by one child process (Shared(SubprocessRuntime)); bare NDJSON sessions doing the same ` +
          `against it: ${median(bare).toFixed(0)} ms; env in this process (Shared(LocalRuntime)): ` +
          `${median(inProcess.map((s) => s.wall)).toFixed(0)} ms; env served by a child on loopback TCP ` +
          `(hud serve --port 0, Runtime(tcp://…)): ${median(tcp.map((s) => s.wall)).toFixed(0)} ms`,
        `memory growth of this process at peak (env in-process), per rollout: heap ${perRollout(heap)}, ` +
          `rss ${perRollout(rss)} (peak rss ${(median(inProcess.map((s) => s.peakRss)) / MiB).toFixed(0)} MiB, ` +
          `pages kept from earlier jobs count as no growth); target ≤ 1 MiB: ${within ? "PASS" : "MISS"}`,
        `the first job of this process (the warm-up, code not yet compiled): ${cold.wall.toFixed(0)} ms`,
        `samples ms: rollouts ${ms(inChild.map((s) => s.wall))}, bare ${ms(bare)}, ` +
          `in-process ${ms(inProcess.map((s) => s.wall))}, tcp ${ms(tcp.map((s) => s.wall))}, ideal ${ms(ideal)}; ` +
          `job rewards ${[...inChild, ...inProcess, ...tcp].map((s) => s.reward).join(" ")}`,
      ],
    };
  } finally {
    for (const { shared, lease } of [child, local]) {
      await lease[Symbol.asyncDispose]();
      await shared.close();
    }
    await tcpChild.stop();
  }
}
