// Benchmark: a SubprocessRuntime lease (spawn, serve, dispose) next to `node` merely starting and importing the env file.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import { rollout, SubprocessRuntime, Task } from "hud";
import { type Figure, interleaved, median } from "./measure.ts";

const envFile = fileURLToPath(new URL("./rollout-env.ts", import.meta.url));

/** Start `node`, import the env file (with the same module conditions the served child uses), wait for exit. */
async function importOnly(): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      "--conditions=hud-source",
      "--input-type=module",
      "-e",
      `await import(${JSON.stringify(new URL("./rollout-env.ts", import.meta.url).href)})`,
    ],
    { stdio: "ignore" },
  );
  const [code] = (await once(child, "exit")) as [number | null];
  if (code !== 0) throw new Error(`importing ${envFile} exited with ${code}`);
}

/** Milliseconds per call of `op`, averaged over `count` back-to-back calls. */
async function msPer(count: number, op: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) await op();
  return (performance.now() - start) / count;
}

export async function subprocessOverhead(options: { runs: number; count: number }): Promise<Figure> {
  const runtime = new SubprocessRuntime(envFile);
  const task = new Task({ env: "bench", id: "noop" });
  const results = await interleaved(options.runs, {
    floor: () => msPer(options.count, importOnly),
    lease: () =>
      msPer(options.count, async () => {
        const lease = await runtime(task);
        await lease[Symbol.asyncDispose]();
      }),
  });
  // The whole rollout over such a lease, for context.
  const full: number[] = [];
  for (let i = 0; i < options.runs; i++) {
    full.push(await msPer(1, () => rollout(task, async () => {}, { runtime, jobId: "bench" })));
  }
  const ms = (values: number[]) => values.map((v) => v.toFixed(0)).join(" ");
  return {
    name: "subprocess lease",
    value: results.lease.median,
    floor: results.floor.median,
    floorName: "node starting + importing the env file",
    unit: "ms",
    better: "lower",
    target: 1.5,
    notes: [
      `a whole nop rollout over a fresh lease: ${median(full).toFixed(0)} ms`,
      `samples ms: lease ${ms(results.lease.samples)}, floor ${ms(results.floor.samples)}`,
    ],
  };
}
