// `hud trace`: a stored trace rendered (prompt, turns, tool calls and results, errors, graded subscores) and as JSON.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Task } from "../src/environment/task.ts";
import { Grade } from "../src/eval/grade.ts";
import { Job, newId } from "../src/eval/job.ts";
import { Run } from "../src/eval/run.ts";
import { planRollouts } from "../src/eval/schedule.ts";
import { Trace } from "../src/eval/trace.ts";
import { LocalStore } from "../src/store/local-store.ts";
import { hud } from "./fixtures/cli/run-hud.ts";

/** Store one finished rollout with every kind of step, as an agent with tools would leave it. */
function storeToolTrace(home: string): string {
  using store = LocalStore.open(home);
  const task = new Task({ env: "demo", id: "fix", args: { bug: 1 } });
  const job = new Job({ name: "demo", group: 1 });
  store.jobStarted(job, planRollouts([task], 1));
  const run = new Run({
    task,
    trace: new Trace(newId()),
    jobId: job.id,
    groupId: newId(),
    model: "fake-model",
  });
  store.rolloutStarted(run);
  const trace = run.trace;
  trace.record({
    source: "task",
    task_call: {
      phase: "setup",
      name: "fix",
      arguments: { bug: 1 },
      result: { prompt: "Fix the bug in main.py" },
    },
  });
  run.prompt = "Fix the bug in main.py";
  trace.record({ source: "user", messages: run.promptMessages });
  const cat = { id: "c1", name: "bash", arguments: { command: "cat main.py" } };
  trace.record({
    source: "agent",
    content: "Let me look at the file.",
    reasoning: "the bug is probably in main.py",
    tool_calls: [cat],
    usage: { prompt_tokens: 100, completion_tokens: 20, cost_usd: 0.001 },
  });
  trace.record({
    source: "tool",
    call: cat,
    result: { content: [{ type: "text", text: "print(1/0)" }], isError: false },
  });
  const edit = { id: "c2", name: "edit", arguments: { path: "main.py" } };
  trace.record({ source: "agent", tool_calls: [edit] });
  trace.record({
    source: "tool",
    call: edit,
    result: { content: [{ type: "text", text: "permission denied" }], isError: true },
  });
  trace.record({ source: "system", error: "[agent loop] Error: tool budget exhausted" });
  const frame = {
    score: 0.5,
    content: "half right",
    subscores: [
      {
        name: "tests",
        value: 1,
        weight: 2,
        info: { exit_code: 0, stdout: "ok", stderr: "" },
        children: [{ name: "unit", value: 1, weight: 1, info: { reason: "all 12 tests pass" } }],
      },
      { name: "style", value: 0, weight: -0.5, info: { reason: "uses   var\nin two places" } },
    ],
  };
  trace.content = "done";
  run.grade = Grade.fromFrame(frame);
  trace.record({
    source: "task",
    task_call: { phase: "evaluate", name: "fix", arguments: { answer: "done" }, result: frame },
  });
  trace.status = "error";
  store.rolloutFinished(run);
  store.jobFinished(job);
  return trace.trace_id!;
}

describe("hud trace", () => {
  let home: string;
  let traceId: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "hud-cli-trace-"));
    traceId = storeToolTrace(home);
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it("renders the prompt, each turn with tool calls and their results, errors, and the grade tree", async () => {
    const result = await hud(["trace", traceId.slice(0, 6)], { home });
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toContain(`Trace   ${traceId}`);
    expect(out).toMatch(/^Status {2}error$/m);
    expect(out).toMatch(/^Reward {2}0\.500$/m);
    expect(out).toContain("Usage   100 in, 20 out tokens, $0.0010");
    expect(out).toContain("Fix the bug in main.py");
    const order = [
      "── Turn 1",
      "Let me look at the file.",
      '→ bash(command="cat main.py")',
      "← bash",
      "print(1/0)",
      "── Turn 2",
      '→ edit(path="main.py")',
      "✗ edit",
      "permission denied",
      "! [agent loop] Error: tool budget exhausted",
      "grade 0.5",
      "half right",
      "├─ tests 1.000 weight 2",
      "│    exit 0",
      "│  └─ unit 1.000 weight 1",
      "│       all 12 tests pass",
      "└─ style 0.000 weight -0.5",
      "     uses var in two places",
      'Answer  "done"',
    ];
    let at = 0;
    for (const piece of order) {
      const next = out.indexOf(piece, at);
      expect(next, `'${piece}' after position ${at} in:\n${out}`).toBeGreaterThanOrEqual(0);
      at = next + piece.length;
    }
  });

  it("--json prints the trace as stored", async () => {
    const result = await hud(["trace", traceId, "--json"], { home });
    expect(result.code, result.stderr).toBe(0);
    using store = LocalStore.open(home);
    expect(JSON.parse(result.stdout)).toEqual(store.trace(traceId));
    expect(JSON.parse(result.stdout).steps).toHaveLength(8);
  });

  it("an unknown id or a missing argument is one line", async () => {
    const unknown = await hud(["trace", "ffffffff"], { home });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no trace 'ffffffff'");
    const missing = await hud(["trace"], { home });
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe("error: hud trace needs a trace id (see hud jobs <job-id>)");
  });
});
