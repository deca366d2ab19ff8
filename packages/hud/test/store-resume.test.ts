import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { Environment, type JobObserver, type Run, Taskset } from "hud";
import { describe, expect, it } from "vitest";
import type { LocalStore } from "../src/store/local-store.ts";
import { useStoreHome } from "./support/store-home.ts";

const temp = useStoreHome("hud-resume-");
const open = () => temp.open();

function sums(): Taskset {
  const env = new Environment({ name: "sums" });
  const echo = env.template("echo", async function* ({ n }: { n: number }) {
    const answer = yield `say ${n}`;
    yield String(answer) === String(n) ? 1 : 0;
  });
  return new Taskset(
    "sums",
    [0, 1, 2, 3].map((n) => echo({ n })),
  );
}

/** Answers correctly, remembering which pairs it was asked to work. */
function answering(worked: string[] = []): (run: Run) => Promise<void> {
  return async (run: Run) => {
    worked.push(`${run.slug}#${run.repeat}`);
    run.trace.record({ source: "agent", content: "thinking" });
    run.trace.content = String(run.task.args.n);
  };
}

interface TraceRow {
  trace_id: string;
  slug: string;
  repeat: number;
  group_id: string;
  status: string;
  reward: number | null;
  started_at: string;
  ended_at: string | null;
  steps: number;
}

function traces(): TraceRow[] {
  const db = new DatabaseSync(join(temp.home, "hud.db"), { readOnly: true });
  try {
    return db
      .prepare(
        `SELECT t.trace_id, t.slug, t.repeat, t.group_id, t.status, t.reward, t.started_at, t.ended_at,
          (SELECT count(*) FROM steps s WHERE s.trace_id = t.trace_id) AS steps
          FROM traces t ORDER BY t.rowid`,
      )
      .all() as unknown as TraceRow[];
  } finally {
    db.close();
  }
}

const finished = (rows: TraceRow[]) => rows.filter((r) => r.status === "completed" || r.status === "error");
const pairs = (rows: TraceRow[]) => rows.map((r) => `${r.slug}#${r.repeat}`).sort();

/**
 * The store, except that the rollouts `dies` picks never report finishing, and neither does the job: as if the
 * process had died while they ran.
 */
function dyingStore(store: LocalStore, dies: (run: Run) => boolean): JobObserver {
  return {
    jobStarted: (job, plan) => store.jobStarted(job, plan),
    rolloutStarted: (run) => store.rolloutStarted(run),
    rolloutFinished: (run) => {
      if (!dies(run)) store.rolloutFinished(run);
    },
  };
}

describe("resuming a stored job", () => {
  it("re-runs exactly the rollouts that were in flight when the process died", async () => {
    const taskset = sums();
    const first = open();
    const slugs = taskset.tasks.map((t) => t.slug);
    const diedIn = new Set([`${slugs[1]}#2`, `${slugs[3]}#0`, `${slugs[3]}#1`]);
    const crashed = await taskset.run(answering(), {
      group: 3,
      maxConcurrent: 4,
      observer: dyingStore(first, (run) => diedIn.has(`${run.slug}#${run.repeat}`)),
    });
    first.close();
    const before = traces();
    expect(before).toHaveLength(12);
    expect(pairs(before.filter((r) => r.status === "running"))).toEqual([...diedIn].sort());

    const store = open();
    const job = store.loadJob(crashed.id.slice(0, 8));
    expect(job.id).toBe(crashed.id);
    expect(job.runs).toHaveLength(9);
    const worked: string[] = [];
    const resumed = await taskset.run(answering(worked), { job, observer: store });

    expect(worked.sort()).toEqual([...diedIn].sort());
    expect(resumed.id).toBe(crashed.id);
    expect(resumed.runs).toHaveLength(12);
    expect(resumed.reward).toBe(1);

    const after = traces();
    const done = finished(after);
    expect(done).toHaveLength(12);
    expect(new Set(pairs(done)).size).toBe(12);
    // Earlier finished rollouts are untouched; the cut-off ones are kept, marked interrupted.
    for (const row of finished(before)) expect(after.find((r) => r.trace_id === row.trace_id)).toEqual(row);
    expect(pairs(after.filter((r) => r.status === "interrupted"))).toEqual([...diedIn].sort());
    expect(after.filter((r) => r.status === "running")).toEqual([]);
    // Repeats of one task keep sharing a group id across the resume.
    for (const slug of slugs) {
      expect(new Set(done.filter((r) => r.slug === slug).map((r) => r.group_id)).size).toBe(1);
    }
    expect(store.listJobs()[0]).toMatchObject({ id: crashed.id, status: "completed", runs: 12, reward: 1 });
  });

  it("re-runs cancelled and never-started rollouts of a cancelled job, once", async () => {
    const taskset = sums();
    const store = open();
    const controller = new AbortController();
    let started = 0;
    const job = await taskset.run(
      async (run) => {
        if (++started === 3) {
          // Ctrl-C while this rollout works: it ends cancelled, later ones never start.
          controller.abort();
          await new Promise((resolve) => run.signal.addEventListener("abort", resolve, { once: true }));
          return;
        }
        await answering()(run);
      },
      { group: 2, maxConcurrent: 2, observer: store, signal: controller.signal },
    );
    expect(store.listJobs()[0]).toMatchObject({ id: job.id, status: "cancelled" });
    const firstRows = traces();
    const firstDone = finished(firstRows);
    expect(firstDone.length).toBeLessThan(8);

    const worked: string[] = [];
    await taskset.run(answering(worked), { job: store.loadJob(job.id), observer: store });
    expect(worked).toHaveLength(8 - firstDone.length);
    const done = finished(traces());
    expect(done).toHaveLength(8);
    expect(new Set(pairs(done)).size).toBe(8);
    expect(store.listJobs()[0]).toMatchObject({ id: job.id, status: "completed", runs: 8, reward: 1 });

    // Nothing is left to do: resuming again runs nothing and changes nothing.
    const again: string[] = [];
    await taskset.run(answering(again), { job: store.loadJob(job.id), observer: store });
    expect(again).toEqual([]);
    expect(finished(traces())).toEqual(done);
  });
});
