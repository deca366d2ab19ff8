// Stopping `hud eval` (SIGKILL, Ctrl-C) and finishing the job with --resume: nothing lost, nothing run twice.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LocalStore } from "../src/store/local-store.ts";
import type { TraceSummary } from "../src/store/records.ts";
import { hud } from "./fixtures/cli/run-hud.ts";
import { type Watched, watchHud } from "./fixtures/cli/watch-hud.ts";
import { type ServeProcess, startServe } from "./support/hud-process.ts";

const FINISHED = new Set(["completed", "error"]);

function finishedTraces(home: string, jobId: string): TraceSummary[] {
  using store = LocalStore.open(home);
  return store.jobDetail(jobId).traces.filter((t) => FINISHED.has(t.status));
}

function onlyJobId(home: string): string {
  using store = LocalStore.open(home);
  const jobs = store.listJobs();
  expect(jobs).toHaveLength(1);
  return jobs[0]!.id;
}

describe("hud eval --resume", () => {
  let many: ServeProcess;
  let slow: ServeProcess;
  let home: string;
  let running: Watched | undefined;
  beforeAll(async () => {
    [many, slow] = await Promise.all([
      startServe(["packages/hud/test/fixtures/cli/many", "--port", "0"]),
      startServe(["packages/hud/test/fixtures/cli/slow", "--port", "0"]),
    ]);
  });
  afterEach(async () => {
    running?.kill();
    await running?.exited;
    running = undefined;
    if (home) await rm(home, { recursive: true, force: true });
  });
  afterAll(async () => {
    await many?.[Symbol.asyncDispose]();
    await slow?.[Symbol.asyncDispose]();
  });

  it("finishes a 200-rollout job killed halfway: exactly 200 finished, none twice, earlier ones untouched", async () => {
    home = await mkdtemp(join(tmpdir(), "hud-cli-resume-"));
    const args = ["eval", "packages/hud/test/fixtures/cli/many/tasks.ts", "oracle", "--all"];
    running = watchHud([...args, "--group", "20", "--max-concurrent", "4", "--runtime", many.url], { home });
    await running.lines(/^✓ echo-/, 100);
    running.child.kill("SIGKILL");
    const killed = await running.exited;
    expect(killed.signal).toBe("SIGKILL");
    const jobId = onlyJobId(home);
    const before = finishedTraces(home, jobId);
    expect(before.length).toBeGreaterThanOrEqual(100);
    expect(before.length).toBeLessThan(200);

    const resumed = await hud(["eval", "--resume", jobId.slice(0, 8), "--json"], { home, timeout: 40 });
    expect(resumed.code, resumed.stderr).toBe(0);
    const summary = JSON.parse(resumed.stdout);
    expect(summary).toMatchObject({ job_id: jobId, runs: 200, reward: 1, status: "completed", errors: 0 });
    expect(summary.tasks).toHaveLength(10);
    for (const task of summary.tasks) expect(task.rewards).toHaveLength(20);

    const after = finishedTraces(home, jobId);
    expect(after).toHaveLength(200);
    expect(new Set(after.map((t) => `${t.slug}#${t.repeat}`)).size).toBe(200);
    const byId = new Map(after.map((t) => [t.trace_id, t]));
    for (const trace of before) expect(byId.get(trace.trace_id)).toEqual(trace);
    using store = LocalStore.open(home);
    expect(store.listJobs()[0]).toMatchObject({ id: jobId, status: "completed", runs: 200, reward: 1 });
  });

  it("Ctrl-C cancels running rollouts cleanly (stored as cancelled) and --resume finishes the job", async () => {
    home = await mkdtemp(join(tmpdir(), "hud-cli-sigint-"));
    const args = ["eval", "packages/hud/test/fixtures/cli/slow/tasks.ts", "oracle", "--all"];
    running = watchHud([...args, "--max-concurrent", "2", "--runtime", slow.url], { home });
    await running.lines(/^✓ wait-/, 1);
    running.child.kill("SIGINT");
    const stopped = await running.exited;
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toContain("stopping: cancelling running rollouts");
    expect(stopped.stdout).toMatch(/Interrupted: finish it with hud eval --resume [0-9a-f]{8}/);
    const jobId = onlyJobId(home);
    {
      using store = LocalStore.open(home);
      const detail = store.jobDetail(jobId);
      expect(detail.job.status).toBe("cancelled");
      expect(detail.traces.some((t) => t.status === "cancelled")).toBe(true);
      expect(detail.traces.every((t) => t.status !== "running")).toBe(true);
    }
    const before = finishedTraces(home, jobId);

    const resumed = await hud(["eval", "--resume", jobId.slice(0, 6)], { home });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`Resuming job ${jobId.slice(0, 8)} (${before.length} rollouts done)`);
    const after = finishedTraces(home, jobId);
    expect(after).toHaveLength(6);
    expect(new Set(after.map((t) => t.slug)).size).toBe(6);
    expect(after.every((t) => t.reward === 1)).toBe(true);
  });
});
