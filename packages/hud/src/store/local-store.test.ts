// LocalStore: write-through as rollouts record, the job/trace queries the CLI prints, and loading a job to resume.
import { existsSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { useStoreHome } from "../../test/support/store-home.ts";
import { Task } from "../environment/task.ts";
import { Grade } from "../eval/grade.ts";
import { Job } from "../eval/job.ts";
import { Run } from "../eval/run.ts";
import { planRollouts } from "../eval/schedule.ts";
import { Trace } from "../eval/trace.ts";
import { HudError } from "../protocol/errors.ts";
import { LocalStore } from "./local-store.ts";

const temp = useStoreHome("hud-store-");
const open = () => temp.open();

/** A second connection, as another process would read the file. */
function peek<T>(sql: string, ...params: (string | number)[]): T[] {
  const db = new DatabaseSync(join(temp.home, "hud.db"), { readOnly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

const tasks = [new Task({ env: "e", id: "a" }), new Task({ env: "e", id: "b" })];

function runOf(job: Job, task: Task, repeat: number, traceId: string): Run {
  return new Run({ task, trace: new Trace(traceId), jobId: job.id, groupId: `g-${task.slug}`, repeat });
}

/** Drive one rollout through the observer the way `rollout()` does. */
function finish(
  store: LocalStore,
  run: Run,
  outcome: { score?: number; status?: "error" | "cancelled" },
): Run {
  store.rolloutStarted(run);
  run.trace.record({
    source: "agent",
    content: "thinking",
    usage: { prompt_tokens: 10, completion_tokens: 2 },
  });
  if (outcome.score !== undefined) run.grade = Grade.fromFrame({ score: outcome.score });
  if (outcome.status) {
    run.trace.status = outcome.status;
    run.trace.record({ source: "system", error: `went ${outcome.status}` });
  } else run.trace.status = "completed";
  store.rolloutFinished(run);
  return run;
}

describe("LocalStore", () => {
  it("creates hud.db in its temp.home, in WAL mode, and reopens with the data", () => {
    const store = open();
    expect(store.path).toBe(join(temp.home, "hud.db"));
    expect(existsSync(store.path)).toBe(true);
    store.jobStarted(new Job({ id: "job1", name: "first" }), []);
    store.close();
    expect(peek<{ journal_mode: string }>("PRAGMA journal_mode")[0]!.journal_mode).toBe("wal");
    expect(
      open()
        .listJobs()
        .map((j) => j.id),
    ).toEqual(["job1"]);
  });

  it("defaults to $HUD_HOME", () => {
    const saved = process.env.HUD_HOME;
    process.env.HUD_HOME = join(temp.home, "nested", "home");
    try {
      using store = LocalStore.open();
      expect(store.path).toBe(join(temp.home, "nested", "home", "hud.db"));
    } finally {
      if (saved === undefined) delete process.env.HUD_HOME;
      else process.env.HUD_HOME = saved;
    }
  });

  it("refuses a closed store with a clear error", () => {
    const store = open();
    store.close();
    expect(() => store.listJobs()).toThrow(/local store .* is closed/);
  });

  it("writes each step as it is recorded, including steps recorded before the rollout was seen", () => {
    const store = open();
    const job = new Job({ id: "job1", name: "j" });
    store.jobStarted(job, planRollouts(tasks, 1));
    const run = runOf(job, tasks[0]!, 0, "trace1");
    run.trace.record({ source: "user", messages: [] });
    store.rolloutStarted(run);
    expect(peek("SELECT step_id FROM steps")).toEqual([{ step_id: 1 }]);
    run.trace.record({ source: "agent", content: "hi" });
    const rows = peek<{ step_id: number; source: string; payload: string }>(
      "SELECT step_id, source, payload FROM steps ORDER BY step_id",
    );
    expect(rows.map((r) => [r.step_id, r.source])).toEqual([
      [1, "user"],
      [2, "agent"],
    ]);
    expect(JSON.parse(rows[1]!.payload)).toEqual(run.trace.steps[1]);
    expect(peek("SELECT status FROM traces")).toEqual([{ status: "running" }]);
  });

  it("stores the outcome, grade and token totals when a rollout finishes", () => {
    const store = open();
    const job = new Job({ id: "job1", name: "j" });
    store.jobStarted(job, planRollouts(tasks, 1));
    const run = runOf(job, tasks[0]!, 0, "trace1");
    run.prompt = "solve it";
    run.trace.content = "42";
    run.trace.stop_reason = "done";
    finish(store, run, { score: 0.5 });
    run.trace.record({ source: "system", error: "after the end" });
    const stored = store.trace("trace1");
    expect(stored).toMatchObject({
      trace_id: "trace1",
      job_id: "job1",
      slug: "a",
      task: { env: "e", id: "a", args: {}, slug: "a" },
      repeat: 0,
      group_id: "g-a",
      status: "completed",
      stop_reason: "done",
      content: "42",
      reward: 0.5,
      grade: { score: 0.5 },
      error: null,
      prompt: "solve it",
      totals: { prompt_tokens: 10, completion_tokens: 2, cached_tokens: 0, cost_usd: 0, llm_call_count: 0 },
    });
    // Steps after the rollout finished are not the rollout's.
    expect(stored.steps).toEqual(run.trace.steps.slice(0, 1));
    expect(stored.ended_at).not.toBeNull();
  });

  it("lists jobs newest first with run counts and the Job.reward rule", () => {
    const store = open();
    const older = new Job({ id: "aaa111", name: "older" });
    store.jobStarted(older, planRollouts(tasks, 1));
    older.runs.push(finish(store, runOf(older, tasks[0]!, 0, "t1"), { score: 1 }));
    older.runs.push(finish(store, runOf(older, tasks[1]!, 0, "t2"), { score: 0.5 }));
    store.jobFinished(older);

    const newer = new Job({ id: "bbb222", name: "newer", group: 2 });
    store.setJobMeta(newer.id, { source: "tasks.json", agent: "claude", model: "m1" });
    store.jobStarted(newer, planRollouts(tasks, 2));
    // Graded though errored: counted. Failed before grading: not counted. Grade error: not counted.
    newer.runs.push(finish(store, runOf(newer, tasks[0]!, 0, "t3"), { score: 1, status: "error" }));
    newer.runs.push(finish(store, runOf(newer, tasks[0]!, 1, "t4"), { status: "error" }));
    const gradeError = runOf(newer, tasks[1]!, 0, "t5");
    store.rolloutStarted(gradeError);
    gradeError.grade = Grade.failed("boom", null);
    gradeError.trace.status = "error";
    store.rolloutFinished(gradeError);
    newer.runs.push(gradeError);
    newer.runs.push(finish(store, runOf(newer, tasks[1]!, 1, "t6"), { score: 0 }));
    store.jobFinished(newer);

    const jobs = store.listJobs();
    expect(jobs.map((j) => j.id)).toEqual(["bbb222", "aaa111"]);
    expect(jobs[0]).toEqual({
      id: "bbb222",
      name: "newer",
      status: "completed",
      runs: 4,
      reward: newer.reward,
      tokens: expect.any(Number),
      cost_usd: 0,
      created_at: expect.any(String),
      source: "tasks.json",
      agent: "claude",
      model: "m1",
    });
    expect(newer.reward).toBe(0.5);
    expect(jobs[1]).toMatchObject({ status: "completed", runs: 2, reward: 0.75, source: null });
    expect(store.listJobs({ limit: 1 }).map((j) => j.id)).toEqual(["bbb222"]);
    expect(() => store.listJobs({ limit: 0 })).toThrow(/limit must be a whole number/);
  });

  it("marks a job cancelled when planned rollouts did not finish", () => {
    const store = open();
    const job = new Job({ id: "job1", name: "j" });
    store.jobStarted(job, planRollouts(tasks, 1));
    job.runs.push(finish(store, runOf(job, tasks[0]!, 0, "t1"), { score: 1 }));
    job.runs.push(finish(store, runOf(job, tasks[1]!, 0, "t2"), { status: "cancelled" }));
    store.jobFinished(job);
    expect(store.listJobs()[0]).toMatchObject({ status: "cancelled", runs: 1 });
  });

  it("resolves unique id prefixes and explains unknown and ambiguous ones", () => {
    const store = open();
    for (const id of ["abc123", "abd456", "0123456789abcdef0123456789abcdef"]) {
      store.jobStarted(new Job({ id, name: id }), []);
    }
    expect(store.resolveJobId("abc")).toBe("abc123");
    expect(store.resolveJobId("abc123")).toBe("abc123");
    expect(store.resolveJobId("01234567-89ab-cdef-0123-456789abcdef")).toBe(
      "0123456789abcdef0123456789abcdef",
    );
    expect(() => store.resolveJobId("ab")).toThrow("job id 'ab' is ambiguous: it matches abc123, abd456");
    expect(() => store.resolveJobId("zz")).toThrow(/no job 'zz' in the local store .*hud jobs/);
    expect(() => store.resolveJobId("a*")).toThrow(/no job 'a\*'/);
    expect(() => store.resolveTraceId("")).toThrow(HudError);
    expect(() => store.trace("nope")).toThrow(/no trace 'nope'/);
  });

  it("details a job's traces in the order they started", () => {
    const store = open();
    const job = new Job({ id: "job1", name: "j" });
    store.jobStarted(job, planRollouts(tasks, 1));
    finish(store, runOf(job, tasks[0]!, 0, "t1"), { score: 1 });
    finish(store, runOf(job, tasks[1]!, 0, "t2"), { status: "error" });
    const detail = store.jobDetail("job");
    expect(detail.job).toMatchObject({
      id: "job1",
      name: "j",
      status: "running",
      runs: 2,
      planned: 2,
      group: 1,
    });
    expect(detail.traces).toEqual([
      {
        trace_id: "t1",
        slug: "a",
        group_id: "g-a",
        repeat: 0,
        status: "completed",
        stop_reason: null,
        reward: 1,
        started_at: expect.any(String),
        ended_at: expect.any(String),
        error: null,
        duration_s: expect.any(Number),
        tokens: expect.any(Number),
        cost_usd: 0,
      },
      expect.objectContaining({ trace_id: "t2", status: "error", reward: null, error: "went error" }),
    ]);
  });

  it("loads a job for resuming: finished runs rebuilt, running ones interrupted", () => {
    const store = open();
    const job = new Job({ id: "job1", name: "j", group: 2 });
    store.jobStarted(job, planRollouts(tasks, 2));
    finish(store, runOf(job, tasks[0]!, 0, "t1"), { score: 1 });
    finish(store, runOf(job, tasks[0]!, 1, "t2"), { score: 0.25, status: "error" });
    finish(store, runOf(job, tasks[1]!, 0, "t3"), { status: "cancelled" });
    const cutOff = runOf(job, tasks[1]!, 1, "t4");
    store.rolloutStarted(cutOff);
    cutOff.trace.record({ source: "agent", content: "half way" });
    store.close();

    const reopened = open();
    const loaded = reopened.loadJob("job1");
    expect([loaded.id, loaded.name, loaded.group]).toEqual(["job1", "j", 2]);
    expect(loaded.runs.map((r) => [r.trace_id, r.slug, r.repeat, r.group_id, r.trace.status])).toEqual([
      ["t1", "a", 0, "g-a", "completed"],
      ["t2", "a", 1, "g-a", "error"],
    ]);
    expect(loaded.runs[1]!.grade.reward).toBe(0.25);
    expect(loaded.reward).toBe(0.625);
    expect(planRollouts(tasks, 2, loaded.runs).map((p) => [p.task.slug, p.repeat, p.groupId])).toEqual([
      ["b", 0, expect.any(String)],
      ["b", 1, expect.any(String)],
    ]);
    const detail = reopened.jobDetail("job1");
    expect(detail.job.status).toBe("interrupted");
    expect(detail.traces.find((t) => t.trace_id === "t4")).toMatchObject({
      status: "interrupted",
      error: expect.stringContaining("interrupted"),
      ended_at: cutOff.trace.steps[0]!.ended_at,
    });
  });

  it("reports a job whose process died as interrupted", () => {
    const store = open();
    const job = new Job({ id: "job1", name: "j" });
    store.jobStarted(job, planRollouts(tasks, 1));
    store.rolloutStarted(runOf(job, tasks[0]!, 0, "t1"));
    store.close();
    const db = new DatabaseSync(join(temp.home, "hud.db"));
    db.prepare("UPDATE jobs SET pid = ?").run(2_147_483_646);
    db.close();
    const reopened = open();
    expect(reopened.listJobs()[0]!.status).toBe("interrupted");
    expect(reopened.jobDetail("job1").traces[0]!.status).toBe("interrupted");
  });

  it("refuses to resume a job another live process is running", () => {
    const store = open();
    store.jobStarted(new Job({ id: "job1", name: "j" }), []);
    const db = new DatabaseSync(join(temp.home, "hud.db"));
    db.prepare("UPDATE jobs SET pid = ?, host = ?").run(process.ppid, hostname());
    db.close();
    expect(() => store.loadJob("job1")).toThrow(`job job1 is still running in process ${process.ppid}`);
    expect(store.listJobs()[0]!.status).toBe("running");
  });

  it("gives a rollout run without a job a job of its own", () => {
    const store = open();
    const run = new Run({ task: tasks[0]!, trace: new Trace("t1"), jobId: "solo" });
    finish(store, run, { score: 1 });
    expect(store.listJobs()).toEqual([
      expect.objectContaining({ id: "solo", name: "a", status: "completed", runs: 1 }),
    ]);
  });
});
