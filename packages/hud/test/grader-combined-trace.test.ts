// A composed reward end to end through `hud eval`: BashGrader (pristine tests in the workspace), LLMJudgeGrader (a
// fake model reached by name, its key passed to the environment with --pass-env) and an inline SubScore combine
// to the expected weighted reward, and `hud trace` shows every node with its weight and reason.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalStore } from "../src/store/local-store.ts";
import { type FakeConversation, type FakeModelServer, startFakeModelServer } from "../src/testing/index.ts";
import { hud } from "./fixtures/cli/run-hud.ts";

const TASKS = "packages/hud/test/fixtures/graders/combined/tasks.ts";

function verdict(c: FakeConversation) {
  const prompt = c.messages[0]?.parts[0]?.type === "text" ? c.messages[0].parts[0].text : "";
  const criterion = /<criterion>\n([\s\S]*?)\n<\/criterion>/.exec(prompt)?.[1];
  const met = criterion === "Explains that subtraction was replaced by addition" && prompt.includes("a + b");
  return {
    text: JSON.stringify({ criterion_status: met ? "MET" : "UNMET", explanation: `judged: ${criterion}` }),
  };
}

let server: FakeModelServer;
let home: string;
beforeAll(async () => {
  server = await startFakeModelServer({ policy: verdict });
  home = await mkdtemp(join(tmpdir(), "hud-combined-"));
});
afterAll(async () => {
  await server.close();
  await rm(home, { recursive: true, force: true });
});

describe("combine(BashGrader, LLMJudgeGrader, SubScore)", () => {
  it("yields the weighted reward and hud trace shows the whole tree", { timeout: 90_000 }, async () => {
    const env = { ANTHROPIC_API_KEY: "sk-ant-test", ANTHROPIC_BASE_URL: server.anthropicBaseURL };
    const result = await hud(["eval", TASKS, "oracle", "--json", "--pass-env", "ANTHROPIC_API_KEY"], {
      home,
      env,
    });
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { job_id: string; reward: number };
    // tests 1 × 2/4 + explanation 1 × 1/4 (met, no penalty) + brevity 0.5 × 1/4 (the answer is 56 characters).
    expect(summary.reward).toBeCloseTo(0.875, 10);
    expect(server.requests).toHaveLength(2);

    using store = LocalStore.open(home);
    const traceId = store.jobDetail(summary.job_id).traces[0]!.trace_id;
    const traced = await hud(["trace", traceId], { home });
    expect(traced.code, traced.stderr).toBe(0);
    const lines = [
      "├─ tests 1.000 weight 2",
      "│    exit 0",
      "├─ explanation 1.000 weight 1",
      "│  ├─ Explains that subtraction was replaced by addition 1.000 weight 1",
      "│  │    judged: Explains that subtraction was replaced by addition",
      "│  └─ Blames the tests 0.000 weight -1",
      "│       judged: Blames the tests",
      "└─ brevity 0.500 weight 1",
      "     56 characters (1 for 40 or fewer)",
    ];
    let at = traced.stdout.indexOf("grade 0.875");
    expect(at, traced.stdout).toBeGreaterThanOrEqual(0);
    for (const line of lines) {
      const next = traced.stdout.indexOf(line, at);
      expect(next, `'${line}' after ${at} in:\n${traced.stdout}`).toBeGreaterThan(at);
      at = next + line.length;
    }
  });

  it("fails grading with the judge's missing key named when the key is not passed to the environment", {
    timeout: 90_000,
  }, async () => {
    const env = { ANTHROPIC_API_KEY: "sk-ant-test", ANTHROPIC_BASE_URL: server.anthropicBaseURL };
    const result = await hud(["eval", TASKS, "oracle", "--json"], { home, env });
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { job_id: string; reward: number; errors: number };
    expect([summary.reward, summary.errors]).toEqual([0, 1]);
    using store = LocalStore.open(home);
    const trace = store.trace(store.jobDetail(summary.job_id).traces[0]!.trace_id);
    expect(trace.error).toContain("model 'claude-haiku-4-5' needs ANTHROPIC_API_KEY");
  });
});
