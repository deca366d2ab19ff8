// Benchmark: in-process rollouts per second (nop agent, Shared(LocalRuntime)) next to bare control-channel sessions.
import { once } from "node:events";
import { connect as netConnect } from "node:net";
import { type Agent, Environment, LocalRuntime, parseControlUrl, rollout, Shared, Task } from "hud";
import { type Figure, interleaved } from "./measure.ts";

/** Completions per second of `op` run by `workers` concurrent loops for about `seconds`. */
export async function concurrentRate(
  seconds: number,
  workers: number,
  op: () => Promise<unknown>,
): Promise<number> {
  const start = performance.now();
  const until = start + seconds * 1000;
  let count = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (performance.now() < until) {
        await op();
        count++;
      }
    }),
  );
  return count / ((performance.now() - start) / 1000);
}

/**
 * The least one rollout's conversation with an environment costs: a fresh connection (the lease's transport), `hello`,
 * `tasks.start`, (`work`,) `tasks.grade` as raw NDJSON (JSON.stringify / JSON.parse), then close.
 */
export async function bareSession(url: string, work?: () => Promise<void>): Promise<void> {
  const address = parseControlUrl(url);
  const socket = netConnect("path" in address ? address : { ...address, noDelay: true });
  await once(socket, "connect");
  socket.setEncoding("utf8");
  let buffered = "";
  let waiting: ((frame: unknown) => void) | undefined;
  socket.on("data", (chunk: string) => {
    buffered += chunk;
    let at = buffered.indexOf("\n");
    while (at >= 0) {
      const line = buffered.slice(0, at);
      buffered = buffered.slice(at + 1);
      const resolve = waiting;
      waiting = undefined;
      resolve?.(JSON.parse(line));
      at = buffered.indexOf("\n");
    }
  });
  let id = 0;
  const call = (method: string, params: object) =>
    new Promise<unknown>((resolve) => {
      waiting = resolve;
      socket.write(`${JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params })}\n`);
    });
  await call("hello", {});
  await call("tasks.start", { id: "noop", args: {} });
  await work?.();
  await call("tasks.grade", { answer: null });
  socket.end();
  await once(socket, "close");
}

export function noopEnvironment(): Environment {
  const env = new Environment({ name: "bench", version: "1.0.0" });
  env.template("noop", async function* () {
    yield "go";
    yield 1;
  });
  return env;
}

export async function rolloutThroughput(options: {
  runs: number;
  seconds: number;
  concurrency: number;
}): Promise<Figure> {
  const env = noopEnvironment();
  const shared = new Shared(new LocalRuntime(env), { width: options.concurrency + 1 });
  const task = new Task({ env: "bench", id: "noop" });
  // One slot held for the whole run: the floor talks to the very server the rollouts use.
  const lease = await shared(task);
  const nop: Agent = async () => {};
  try {
    const results = await interleaved(options.runs, {
      floor: () => concurrentRate(options.seconds, options.concurrency, () => bareSession(lease.url)),
      hud: () =>
        concurrentRate(options.seconds, options.concurrency, () =>
          rollout(task, nop, { runtime: shared, jobId: "bench" }),
        ),
    });
    const target = 1000;
    const figure = results.hud.median;
    const per = (s: number) => Math.round(s).toLocaleString("en-US");
    return {
      name: "rollouts/s (in-process)",
      value: figure,
      floor: results.floor.median,
      floorName: "bare connect+hello+start+grade+close",
      unit: "/s",
      better: "higher",
      target: 0.5,
      notes: [
        `absolute: ${per(figure)} rollouts/s with ${options.concurrency} in flight; target ≥ ${per(target)}/s: ${figure >= target ? "PASS" : "MISS"}`,
        `samples /s: hud ${results.hud.samples.map(per).join(" ")}, floor ${results.floor.samples.map(per).join(" ")}`,
      ],
    };
  } finally {
    await lease[Symbol.asyncDispose]();
    await shared.close();
  }
}
