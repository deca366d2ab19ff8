// `hud eval` end to end on the quickstart: oracle scores 1, nop 0, and the report formats CI reads.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalStore } from "../src/store/local-store.ts";
import { hud, REPO } from "./fixtures/cli/run-hud.ts";

const TASKS = "examples/quickstart/tasks.ts";

describe("hud eval on the quickstart", () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "hud-cli-eval-"));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it("oracle --all scores a mean reward of 1.0, with --json and --junit for CI", async () => {
    const junit = join(home, "reports", "oracle.xml");
    const result = await hud(["eval", TASKS, "oracle", "--all", "--json", "--junit", junit], { home });
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(Object.keys(summary)).toEqual(
      expect.arrayContaining([
        "job_id",
        "name",
        "status",
        "runs",
        "reward",
        "ci95",
        "success_rate",
        "errors",
        "tasks",
        "tokens",
        "cost_usd",
        "duration_s",
      ]),
    );
    expect(summary).toMatchObject({
      name: "tasks (5 tasks)",
      status: "completed",
      runs: 5,
      reward: 1,
      ci95: [1, 1],
      success_rate: 1,
      errors: 0,
      tokens: null,
      cost_usd: null,
    });
    expect(summary.job_id).toMatch(/^[0-9a-f]{32}$/);
    expect(summary.tasks.map((t: { slug: string }) => t.slug)).toEqual([
      "count-759529a8",
      "count-2dc7d4b0",
      "count-0754cab8",
      "reverse-67cd4bed",
      "reverse-ac6c1b2f",
    ]);
    for (const task of summary.tasks) expect(task).toMatchObject({ reward: 1, rewards: [1] });
    expect(summary.duration_s).toBeGreaterThan(0);

    const xml = await readFile(junit, "utf8");
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
    expect(xml.match(/<testcase /g)).toHaveLength(5);
    expect(xml).toContain('tests="5" failures="0" errors="0" skipped="0"');
    expect(xml).toContain('name="reverse-67cd4bed#0"');

    // The store has the job with the agent and source it ran with.
    using store = LocalStore.open(home);
    const detail = store.jobDetail(summary.job_id);
    expect(detail.job).toMatchObject({ status: "completed", runs: 5, reward: 1, agent: "oracle" });
    expect(detail.job.source).toMatch(/examples\/quickstart\/tasks\.ts$/);
  });

  it("nop --all scores 0.0 and exits 0; --fail-under 0.5 makes it exit non-zero", async () => {
    const plain = await hud(["eval", TASKS, "nop", "--all", "--shared"], { home });
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/Mean reward\s+0\.000/);
    expect(plain.stdout).toMatch(/Success\s+0\.0%/);
    expect(plain.stdout).toMatch(/Job\s+[0-9a-f]{32}\s+inspect: hud jobs [0-9a-f]{8}/);
    // Not a terminal: one line per finished rollout.
    expect(plain.stdout.match(/^· \S+#0 reward 0\.000/gm)).toHaveLength(5);

    const junit = join(home, "nop.xml");
    const gated = await hud(
      ["eval", TASKS, "nop", "--task-ids", "1", "--fail-under", "0.5", "--junit", junit],
      {
        home,
      },
    );
    expect(gated.code).toBe(1);
    expect(gated.stderr).toContain("error: mean reward 0.000 is below --fail-under 0.5");
    expect(await readFile(junit, "utf8")).toContain('<failure message="reward 0"/>');
  });

  it("without --all runs only the first task (of the source found in the cwd), says so, and streams its steps", async () => {
    const result = await hud(["eval", "oracle"], { home, cwd: join(REPO, "examples/quickstart") });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      "note: running only the first of 5 tasks ('count-759529a8'); pass --all to run them all",
    );
    expect(result.stdout).toContain("How many times does the letter 'r' appear in 'strawberry'?");
    expect(result.stdout).toMatch(/agent\n {2}3\n/);
    expect(result.stdout).toMatch(/grade 1\n/);
    expect(result.stdout).toMatch(/✓ count-759529a8#0 reward 1\.000/);
  });

  it("--task-ids picks rows by slug, template id or index, in the source's order", async () => {
    const result = await hud(
      ["eval", TASKS, "oracle", "--task-ids", "reverse-ac6c1b2f,0,count-0754cab8", "--json"],
      {
        home,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.tasks.map((t: { slug: string }) => t.slug)).toEqual([
      "count-759529a8",
      "count-0754cab8",
      "reverse-ac6c1b2f",
    ]);
    const byId = await hud(
      ["eval", TASKS, "nop", "--task-ids", "reverse", "--group", "2", "--json", "-c", "temperature=0.5"],
      {
        home,
      },
    );
    expect(byId.code, byId.stderr).toBe(0);
    const grouped = JSON.parse(byId.stdout);
    expect(grouped.runs).toBe(4);
    expect(grouped.tasks).toHaveLength(2);
    expect(grouped.tasks[0].rewards).toHaveLength(2);
    using store = LocalStore.open(home);
    expect(store.jobDetail(grouped.job_id).job.config).toMatchObject({
      tasks: ["reverse-67cd4bed", "reverse-ac6c1b2f"],
      group: 2,
      agent_config: { temperature: 0.5 },
    });
  });

  it("human shows the prompt and takes the answer from standard input", async () => {
    const result = await hud(["eval", TASKS, "human", "--task-ids", "reverse-67cd4bed"], {
      home,
      input: "olleh\n.\n",
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("Write 'hello' backwards. Answer with the reversed word only.");
    expect(result.stdout).toContain("finish with a line holding a single '.'");
    expect(result.stdout).toMatch(/Mean reward\s+1\.000/);
  });

  it("mistakes are one line: unknown task, a model agent without its key, bad runtime", async () => {
    const unknown = await hud(["eval", TASKS, "oracle", "--task-ids", "nope"], { home });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split("\n")).toHaveLength(1);
    expect(unknown.stderr).toContain("no task matching 'nope'");

    const claude = await hud(["eval", TASKS, "claude", "--all"], { home, env: { ANTHROPIC_API_KEY: "" } });
    expect(claude.code).toBe(1);
    expect(claude.stderr.trim()).toBe(
      "error: model 'claude-sonnet-4-6' needs ANTHROPIC_API_KEY (or HUD_API_KEY with HUD_GATEWAY_URL to go through the HUD gateway)",
    );

    const runtime = await hud(["eval", TASKS, "nop", "--runtime", "ssh://box"], { home });
    expect(runtime.code).toBe(2);
    expect(runtime.stderr).toContain(
      "--runtime must be local, docker, docker:<image>, tcp://host:port or unix:///path",
    );
  });
});
