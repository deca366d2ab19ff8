// examples/coding end to end: `hud eval` with oracle fixes the bugs (1.0) and nop does not (0.0), the oracle's
// traces carry the diff of the fix, and the grader refuses edited tests.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { env } from "../../../examples/coding/env.ts";
import type { DiffResult } from "../src/capabilities/clients/filetracking-wire.ts";
import { SshClient } from "../src/capabilities/clients/ssh.ts";
import { LocalStore } from "../src/store/local-store.ts";
import { serveForTest } from "../src/testing/serve-for-test.ts";
import { hud } from "./fixtures/cli/run-hud.ts";
import { useCleanup } from "./support/cleanup.ts";

const defer = useCleanup();
const TASKS = "examples/coding/tasks.ts";

/** Per task: the file the fix changes, the buggy line and the fixed line (as the unified diff shows them). */
const FIXES: Record<string, { path: string; removed: string; added: string }> = {
  "fix-range": {
    path: "src/dates.js",
    removed: "-  for (let time = dayStart(start); time < last; time += DAY_MS) {",
    added: "+  for (let time = dayStart(start); time <= last; time += DAY_MS) {",
  },
  "fix-price": {
    path: "src/price.js",
    removed: "-  const cents = Math.floor(amount * 100);",
    added: "+  const cents = Math.round(amount * 100);",
  },
};

interface Summary {
  job_id: string;
  status: string;
  runs: number;
  reward: number;
  errors: number;
  tasks: { slug: string; reward: number }[];
}

function parseSummary(stdout: string): Summary {
  return JSON.parse(stdout) as Summary;
}

/** The workspace diffs recorded in a stored trace. */
function diffsOf(store: LocalStore, traceId: string): DiffResult[] {
  return store
    .trace(traceId)
    .steps.filter((step) => step.source === "system" && step.extra?.workspace_diff !== undefined)
    .map((step) => step.extra!.workspace_diff as DiffResult);
}

describe("examples/coding with hud eval", () => {
  let home: string;
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), "hud-example-coding-"));
  });
  afterAll(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it("oracle scores 1.0, and each trace shows the diff of the fix", { timeout: 90_000 }, async () => {
    const result = await hud(["eval", TASKS, "oracle", "--all", "--json"], { home, timeout: 80 });
    expect(result.code, result.stderr).toBe(0);
    const summary = parseSummary(result.stdout);
    expect(summary).toMatchObject({ status: "completed", runs: 2, reward: 1, errors: 0 });
    expect(summary.tasks.map((t) => [t.slug, t.reward])).toEqual([
      ["fix-range", 1],
      ["fix-price", 1],
    ]);

    const traces = (() => {
      using store = LocalStore.open(home);
      const { traces } = store.jobDetail(summary.job_id);
      expect(traces).toHaveLength(2);
      return traces.map((trace) => {
        const fix = FIXES[trace.slug]!;
        const patches = diffsOf(store, trace.trace_id).flatMap((diff) => diff.patches);
        // The solution changed the one source file, and nothing else (setup's copy is not the agent's work).
        expect(patches.map((p) => [p.path, p.status])).toEqual([[fix.path, "modified"]]);
        const lines = patches[0]!.patch.split("\n");
        expect(lines).toContain(`--- a/${fix.path}`);
        expect(lines).toContain(`+++ b/${fix.path}`);
        expect(lines).toContain(fix.removed);
        expect(lines).toContain(fix.added);
        return { id: trace.trace_id, fix };
      });
    })();

    for (const { id, fix } of traces) {
      const shown = await hud(["trace", id], { home });
      expect(shown.code, shown.stderr).toBe(0);
      expect(shown.stdout).toContain(`M ${fix.path}`);
      expect(shown.stdout).toContain(fix.removed);
      expect(shown.stdout).toContain(fix.added);
      expect(shown.stdout).toMatch(/node --test: all \d+ tests pass/);
    }
  });

  it("nop scores 0.0 and exits 0, with no workspace changes recorded", { timeout: 90_000 }, async () => {
    const result = await hud(["eval", TASKS, "nop", "--all", "--json"], { home, timeout: 80 });
    expect(result.code, result.stderr).toBe(0);
    const summary = parseSummary(result.stdout);
    expect(summary).toMatchObject({ status: "completed", runs: 2, reward: 0, errors: 0 });
    using store = LocalStore.open(home);
    for (const trace of store.jobDetail(summary.job_id).traces) {
      expect(trace.reward, trace.slug).toBe(0);
      expect(diffsOf(store, trace.trace_id)).toEqual([]);
      const grade = store.trace(trace.trace_id).steps.at(-1);
      expect(JSON.stringify(grade?.task_call?.result)).toContain("node --test fails");
    }
  });
});

describe("examples/coding grading, as an agent over SSH", () => {
  it("scores a fix made in the shell, and refuses a fix that edits the tests", {
    timeout: 60_000,
  }, async () => {
    const served = await serveForTest(env);
    defer(() => served[Symbol.asyncDispose]());
    const ssh = await SshClient.connect(served.client.binding("shell"));
    defer(() => ssh.close());

    // The files setup wrote are the agent's to change: sed -i replaces src/dates.js in place.
    await served.client.startTask("fix-range", {});
    const fixed = await ssh.exec("sed -i 's/time < last;/time <= last;/' src/dates.js && node --test");
    expect(fixed.exitCode, fixed.stderr).toBe(0);
    expect(await served.client.grade({ answer: "included the last day" })).toMatchObject({ score: 1 });

    // The same fix with a test changed too scores 0, whatever the tests say.
    await served.client.startTask("fix-range", {});
    const cheated = await ssh.exec(
      "sed -i 's/time < last;/time <= last;/' src/dates.js && sed -i 's/), 3);/), 2);/' test/dates.test.js",
    );
    expect(cheated.exitCode, cheated.stderr).toBe(0);
    expect(await served.client.grade({ answer: "fixed" })).toMatchObject({
      score: 0,
      content: "the tests were edited: test/dates.test.js",
    });

    // Deleting the failing tests is editing them.
    await served.client.startTask("fix-price", {});
    const deleted = await ssh.exec("rm test/price.test.js && node --test");
    expect(deleted.exitCode, deleted.stderr).toBe(0);
    expect(await served.client.grade({ answer: "no more failures" })).toMatchObject({
      score: 0,
      content: "the tests were edited: test/price.test.js",
    });
  });
});
