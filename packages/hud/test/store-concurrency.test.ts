import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Environment, Taskset } from "hud";
import { describe, expect, it } from "vitest";
import { LocalStore } from "../src/store/local-store.ts";
import { useStoreHome } from "./support/store-home.ts";

const SRC = resolve(import.meta.dirname, "../src");
const url = (path: string) => JSON.stringify(pathToFileURL(join(SRC, path)).href);

/** A job of 20 rollouts × 50 agent steps, written to the store in $HUD_HOME. */
const WRITER = `
  import { Environment } from ${url("environment/environment.ts")};
  import { Taskset } from ${url("eval/taskset.ts")};
  import { LocalStore } from ${url("store/local-store.ts")};
  const env = new Environment({ name: "busy" });
  const echo = env.template("echo", async function* ({ n }) {
    yield "say " + n;
    yield 1;
  });
  const store = LocalStore.open(process.env.HUD_HOME);
  await new Taskset("busy", Array.from({ length: 20 }, (_, n) => echo({ n }))).run(async (run) => {
    for (let i = 0; i < 50; i++) {
      run.trace.record({ source: "agent", content: String(i) });
      await new Promise((resolve) => setImmediate(resolve));
    }
  }, { maxConcurrent: 10, observer: store });
  store.close();
`;

const temp = useStoreHome("hud-concurrent-");

async function writer(script: string): Promise<void> {
  const exit = await temp.runScript(script, 25);
  if (exit.code !== 0) throw new Error(`writer exited with ${exit.code ?? exit.signal}:\n${exit.stderr}`);
}

describe("the store under concurrent rollouts", () => {
  it("stores 60 rollouts × 20 agent steps recorded interleaved", async () => {
    const env = new Environment({ name: "busy" });
    const echo = env.template("echo", async function* ({ n }: { n: number }) {
      const answer = yield `say ${n}`;
      yield String(answer) === String(n) ? 1 : 0.5;
    });
    const taskset = new Taskset(
      "busy",
      Array.from({ length: 30 }, (_, n) => echo({ n })),
    );
    using store = LocalStore.open(temp.home);
    let inFlight = 0;
    let mostInFlight = 0;
    const job = await taskset.run(
      async (run) => {
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        for (let i = 0; i < 20; i++) {
          run.trace.record({
            source: "agent",
            content: `${run.trace_id} ${i}`,
            usage: { prompt_tokens: 3, completion_tokens: 1, cost_usd: 0.25 },
          });
          await new Promise((resolve) => setImmediate(resolve));
        }
        inFlight--;
        // Odd tasks answer wrong on their second repeat.
        run.trace.content = String(
          Number(run.task.args.n) + (run.repeat === 1 && Number(run.task.args.n) % 2 ? 1 : 0),
        );
      },
      { group: 2, maxConcurrent: 20, observer: store },
    );
    expect(mostInFlight).toBe(20);

    const [summary] = store.listJobs();
    expect(summary).toMatchObject({ id: job.id, status: "completed", runs: 60 });
    expect(summary!.reward).toBeCloseTo(job.reward, 12);
    const detail = store.jobDetail(job.id);
    expect(detail.traces).toHaveLength(60);
    expect(new Set(detail.traces.map((t) => `${t.slug}#${t.repeat}`)).size).toBe(60);
    for (const run of job.runs) {
      const stored = store.trace(run.trace_id!);
      expect(stored.steps).toEqual(run.trace.steps);
      const agent = stored.steps.filter((s) => s.source === "agent") as { content: string }[];
      expect(agent.map((s) => s.content)).toEqual(
        Array.from({ length: 20 }, (_, i) => `${run.trace_id} ${i}`),
      );
      expect(stored.totals).toEqual({
        prompt_tokens: 60,
        completion_tokens: 20,
        cached_tokens: 0,
        cost_usd: 5,
        llm_call_count: 0,
      });
      expect(stored.reward).toBe(run.reward);
    }
  });

  it("lets two processes write jobs into one store at once", async () => {
    const script = join(temp.home, "writer.ts");
    await writeFile(script, WRITER);
    await Promise.all([writer(script), writer(script)]);
    using store = LocalStore.open(temp.home);
    const jobs = store.listJobs();
    expect(jobs).toHaveLength(2);
    for (const job of jobs) {
      expect(job).toMatchObject({ status: "completed", runs: 20, reward: 1 });
      for (const trace of store.jobDetail(job.id).traces) {
        // setup, prompt, 50 agent steps, evaluate
        expect(store.trace(trace.trace_id).steps.map((s) => s.step_id)).toEqual(
          Array.from({ length: 53 }, (_, i) => i + 1),
        );
      }
    }
  });
});
