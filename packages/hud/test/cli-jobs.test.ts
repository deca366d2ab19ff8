// `hud jobs` and `hud jobs <id>` on a private HUD_HOME: empty, after runs, and with a job whose process was killed.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hud } from "./fixtures/cli/run-hud.ts";
import { type Watched, watchHud } from "./fixtures/cli/watch-hud.ts";
import { type ServeProcess, startServe } from "./support/hud-process.ts";

const TRACE_KEYS = [
  "trace_id",
  "slug",
  "group_id",
  "status",
  "stop_reason",
  "reward",
  "started_at",
  "ended_at",
  "error",
];

describe("hud jobs", () => {
  let home: string;
  let slow: ServeProcess;
  let killed: Watched | undefined;
  let finishedJob: string;
  let interruptedJob: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "hud-cli-jobs-"));
    slow = await startServe(["packages/hud/test/fixtures/cli/slow", "--port", "0"]);
  });
  afterAll(async () => {
    killed?.kill();
    await killed?.exited;
    await slow?.[Symbol.asyncDispose]();
    await rm(home, { recursive: true, force: true });
  });

  it("says there are no jobs yet on a fresh HUD_HOME", async () => {
    const text = await hud(["jobs"], { home });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain("No jobs yet");
    const json = await hud(["jobs", "--json"], { home });
    expect(JSON.parse(json.stdout)).toEqual([]);
  });

  it("lists jobs newest first, including one whose process was killed mid-run (interrupted)", async () => {
    const done = await hud(
      ["eval", "examples/quickstart/tasks.ts", "oracle", "--task-ids", "0,3", "--json"],
      { home },
    );
    expect(done.code, done.stderr).toBe(0);
    finishedJob = JSON.parse(done.stdout).job_id;

    const args = [
      "eval",
      "packages/hud/test/fixtures/cli/slow/tasks.ts",
      "oracle",
      "--all",
      "--max-concurrent",
      "2",
    ];
    killed = watchHud([...args, "--runtime", slow.url], { home });
    await killed.lines(/^✓ wait-/, 1);
    killed.child.kill("SIGKILL");
    await killed.exited;

    const json = await hud(["jobs", "--json"], { home });
    expect(json.code, json.stderr).toBe(0);
    const jobs = JSON.parse(json.stdout);
    expect(jobs).toHaveLength(2);
    for (const job of jobs) {
      expect(Object.keys(job)).toEqual(
        expect.arrayContaining(["id", "name", "status", "runs", "reward", "created_at"]),
      );
    }
    expect(jobs[0]).toMatchObject({ name: "tasks (6 tasks)", status: "interrupted", agent: "oracle" });
    expect(jobs[0].runs).toBeGreaterThanOrEqual(1);
    expect(jobs[1]).toMatchObject({ id: finishedJob, status: "completed", runs: 2, reward: 1 });
    interruptedJob = jobs[0].id;

    const text = await hud(["jobs", "-n", "1"], { home });
    const lines = text.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^ID\s+NAME\s+SOURCE\s+AGENT\s+STATUS\s+RUNS\s+REWARD\s+CREATED$/);
    expect(lines[1]).toMatch(
      new RegExp(
        `^${interruptedJob.slice(0, 8)}\\s+tasks \\(6 tasks\\)\\s+…\\S*/cli/slow/tasks\\.ts\\s+oracle\\s+interrupted\\s+\\d+\\s+\\d\\.\\d{3}\\s+\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d$`,
      ),
    );
    expect(lines).toHaveLength(3);
  });

  it("shows one job's traces by id prefix, text and JSON", async () => {
    const json = await hud(["jobs", interruptedJob.slice(0, 5), "--json"], { home });
    expect(json.code, json.stderr).toBe(0);
    const detail = JSON.parse(json.stdout);
    expect(detail.job).toMatchObject({ id: interruptedJob, status: "interrupted" });
    for (const trace of detail.traces) expect(Object.keys(trace)).toEqual(expect.arrayContaining(TRACE_KEYS));
    const statuses = new Set(detail.traces.map((t: { status: string }) => t.status));
    expect(statuses.has("completed")).toBe(true);
    expect(statuses.has("interrupted")).toBe(true);
    for (const status of statuses)
      expect(["running", "completed", "error", "cancelled", "interrupted"]).toContain(status);

    const text = await hud(["jobs", finishedJob.slice(0, 8)], { home });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain(`Job      ${finishedJob}`);
    expect(text.stdout).toMatch(/^TRACE\s+TASK\s+STATUS\s+STOP\s+REWARD\s+TIME\s+ERROR$/m);
    expect(text.stdout).toMatch(/^[0-9a-f]{8}\s+count-759529a8#0\s+completed\s+-\s+1\.000\s+\S+$/m);
    expect(text.stdout).toMatch(/^[0-9a-f]{8}\s+reverse-67cd4bed#0\s+completed\s+-\s+1\.000\s+\S+$/m);

    const interrupted = await hud(["jobs", interruptedJob], { home });
    expect(interrupted.stdout).toContain(`finish the job: hud eval --resume ${interruptedJob.slice(0, 8)}`);
  });

  it("an unknown or empty id is one clear line", async () => {
    const missing = await hud(["jobs", "zzzz"], { home });
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    expect(missing.stderr).toContain("no job 'zzzz'");
    const empty = await hud(["jobs", ""], { home });
    expect(empty.code).toBe(1);
  });
});
