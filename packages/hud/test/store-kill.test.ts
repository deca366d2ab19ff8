import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Environment, Taskset } from "hud";
import { describe, expect, it } from "vitest";
import { LocalStore } from "../src/store/local-store.ts";
import { useStoreHome } from "./support/store-home.ts";

const SRC = resolve(import.meta.dirname, "../src");
const url = (path: string) => JSON.stringify(pathToFileURL(join(SRC, path)).href);

/** The environment both processes serve in-process (same rows, same slugs). */
const ENV_SOURCE = `
  const env = new Environment({ name: "sums" });
  const echo = env.template("echo", async function* ({ n }) {
    const answer = yield "say " + n;
    yield String(answer) === String(n) ? 1 : 0;
  });
  const taskset = new Taskset("sums", [0, 1, 2, 3].map((n) => echo({ n })));
`;

/** One rollout at a time; the agent of task 2's first repeat records two steps, then the process is killed. */
const CHILD = `
  import { Environment } from ${url("environment/environment.ts")};
  import { Taskset } from ${url("eval/taskset.ts")};
  import { LocalStore } from ${url("store/local-store.ts")};
  ${ENV_SOURCE}
  const store = LocalStore.open(process.env.HUD_HOME);
  await taskset.run(async (run) => {
    run.trace.record({ source: "agent", content: "step one" });
    if (run.task.args.n === 2) {
      run.trace.record({ source: "agent", content: "last words" });
      process.kill(process.pid, "SIGKILL");
    }
    run.trace.content = String(run.task.args.n);
  }, { group: 2, maxConcurrent: 1, observer: store });
`;

const temp = useStoreHome("hud-kill-");

/** Run the job script, which is expected to be SIGKILLed (by itself) part way. */
async function runChild(script: string): Promise<NodeJS.Signals | null> {
  const exit = await temp.runScript(script, 20);
  if (exit.code !== null) {
    throw new Error(`the job process exited with ${exit.code} instead of being killed:\n${exit.stderr}`);
  }
  return exit.signal;
}

describe("a job process killed mid-run", () => {
  it("keeps every recorded step, shows interrupted, and resumes the rest", async () => {
    const script = join(temp.home, "job.ts");
    await writeFile(script, CHILD);
    expect(await runChild(script)).toBe("SIGKILL");

    using store = LocalStore.open(temp.home);
    const [job] = store.listJobs();
    expect(job).toMatchObject({ status: "interrupted", runs: 4 });
    const detail = store.jobDetail(job!.id);
    const cut = detail.traces.filter((t) => t.status === "interrupted");
    expect(cut).toHaveLength(1);
    // Everything the killed rollout recorded is there: setup, prompt, both agent steps.
    const stored = store.trace(cut[0]!.trace_id);
    expect(stored.steps.map((s) => [s.step_id, s.source])).toEqual([
      [1, "task"],
      [2, "user"],
      [3, "agent"],
      [4, "agent"],
    ]);
    expect(stored.steps.at(-1)).toMatchObject({ content: "last words" });

    const env = new Environment({ name: "sums" });
    const echo = env.template("echo", async function* ({ n }: { n: number }) {
      const answer = yield `say ${n}`;
      yield String(answer) === String(n) ? 1 : 0;
    });
    const taskset = new Taskset(
      "sums",
      [0, 1, 2, 3].map((n) => echo({ n })),
    );
    const worked: string[] = [];
    const resumed = await taskset.run(
      async (run) => {
        worked.push(`${run.task.args.n}#${run.repeat}`);
        run.trace.content = String(run.task.args.n);
      },
      { job: store.loadJob(job!.id), observer: store },
    );
    expect(worked.sort()).toEqual(["2#0", "2#1", "3#0", "3#1"]);
    expect(resumed.runs).toHaveLength(8);
    expect(store.listJobs()[0]).toMatchObject({ id: job!.id, status: "completed", runs: 8, reward: 1 });
    const traces = store.jobDetail(job!.id).traces;
    expect(traces.filter((t) => t.status === "completed")).toHaveLength(8);
    expect(traces.filter((t) => t.status === "interrupted").map((t) => t.trace_id)).toEqual([
      cut[0]!.trace_id,
    ]);
  });
});
