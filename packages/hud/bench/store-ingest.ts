// Benchmark: steps recorded through LocalStore (one commit per step, as rollouts write), next to raw node:sqlite inserts.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Grade, Job, Run, type StepInput, Task, Trace } from "hud";
import { LocalStore } from "../src/store/local-store.ts";
import { type Figure, interleaved } from "./measure.ts";

const STEPS_PER_ROLLOUT = 100;

/** An agent turn of a realistic size: some text, a tool call, usage. */
function agentStep(i: number): StepInput {
  return {
    source: "agent",
    content: `Looking at the repository layout before editing (turn ${i}). `.repeat(4),
    tool_calls: [
      { id: `call_${i}`, name: "bash", arguments: { command: `grep -rn "TODO" src | head -${i % 50}` } },
    ],
    usage: { prompt_tokens: 1200 + i, completion_tokens: 80, cached_tokens: 1000 },
    model: "bench-model",
  };
}

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), "hud-bench-store-"));
}

/** Steps per second recorded into a fresh store: rollouts of STEPS_PER_ROLLOUT steps, started and finished. */
function throughStore(steps: number, inputs: StepInput[]): number {
  const home = tempDir();
  try {
    using store = LocalStore.open(home);
    const task = new Task({ env: "bench", id: "work" });
    const job = new Job({ name: "bench" });
    store.jobStarted(job, []);
    const start = performance.now();
    for (let done = 0, repeat = 0; done < steps; repeat++) {
      const run = new Run({ task, trace: new Trace(`trace-${repeat}`), jobId: job.id, groupId: "g", repeat });
      store.rolloutStarted(run);
      for (let i = 0; i < STEPS_PER_ROLLOUT && done < steps; i++, done++) run.trace.record(inputs[i]!);
      run.trace.status = "completed";
      run.grade = new Grade({ reward: 1, raw: { score: 1 } });
      store.rolloutFinished(run);
    }
    return steps / ((performance.now() - start) / 1000);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** Steps per second for the least node:sqlite can do: the same rows, pre-serialized, one autocommit insert each. */
function rawInserts(steps: number, inputs: StepInput[]): number {
  const home = tempDir();
  const db = new DatabaseSync(join(home, "raw.db"));
  try {
    db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
      CREATE TABLE steps (trace_id TEXT NOT NULL, step_id INTEGER NOT NULL, source TEXT NOT NULL, payload TEXT NOT NULL,
        started_at TEXT, ended_at TEXT, PRIMARY KEY (trace_id, step_id)) STRICT;`);
    const trace = new Trace("raw");
    const rows = Array.from({ length: steps }, (_, n) => {
      const step = trace.steps[n % STEPS_PER_ROLLOUT] ?? trace.record(inputs[n % STEPS_PER_ROLLOUT]!);
      const traceId = `trace-${Math.floor(n / STEPS_PER_ROLLOUT)}`;
      return [
        traceId,
        step.step_id,
        step.source,
        JSON.stringify(step),
        step.started_at ?? null,
        step.ended_at!,
      ] as const;
    });
    const insert = db.prepare(
      "INSERT INTO steps (trace_id, step_id, source, payload, started_at, ended_at) VALUES (?, ?, ?, ?, ?, ?)",
    );
    const start = performance.now();
    for (const row of rows) insert.run(...row);
    return steps / ((performance.now() - start) / 1000);
  } finally {
    db.close();
    rmSync(home, { recursive: true, force: true });
  }
}

export async function storeIngest(options: { runs: number; steps: number }): Promise<Figure> {
  const inputs = Array.from({ length: STEPS_PER_ROLLOUT }, (_, i) => agentStep(i));
  const results = await interleaved(options.runs, {
    floor: async () => rawInserts(options.steps, inputs),
    hud: async () => throughStore(options.steps, inputs),
  });
  const rate = (perSecond: number) => Math.round(perSecond).toLocaleString("en-US");
  return {
    name: "store ingest",
    value: results.hud.median,
    floor: results.floor.median,
    floorName: "raw node:sqlite inserts",
    unit: "steps/s",
    better: "higher",
    target: 0.5,
    notes: [
      `${options.steps.toLocaleString("en-US")} steps, ${STEPS_PER_ROLLOUT} per rollout, WAL + synchronous=NORMAL, one commit per step; ` +
        `samples steps/s: hud ${results.hud.samples.map(rate).join(" ")}, floor ${results.floor.samples.map(rate).join(" ")}`,
    ],
  };
}
