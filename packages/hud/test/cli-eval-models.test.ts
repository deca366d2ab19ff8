// Model agents through `hud eval`, for each provider: the real SDK, pointed at the fake model server by its base
// URL variable, solves the quickstart and the coding workspace; tool calls and results show in `hud trace`;
// tokens and cost land in the summary. Also replay, --budget, --max-cost-per-rollout, --dry-run, missing keys.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUGS } from "../../../examples/coding/env.ts";
import { LocalStore } from "../src/store/local-store.ts";
import type { FakeAnswer, FakeApi, FakeConversation, FakeReply } from "../src/testing/index.ts";
import { type FakeModelServer, startFakeModelServer } from "../src/testing/index.ts";
import { hud } from "./fixtures/cli/run-hud.ts";
import { letterCount, textOf, toolResults } from "./support/fake-model.ts";

const QUICKSTART = "examples/quickstart/tasks.ts";
const CODING = "examples/coding/tasks.ts";

/** Each provider's workspace tools for "show a file" and "replace text in a file". */
const TOOLS: Record<
  FakeApi,
  { cat: (file: string) => FakeAnswer; fix: (file: string, bug: string, fix: string) => FakeAnswer }
> = {
  anthropic: {
    cat: (file) => ({ toolCalls: [{ name: "bash", arguments: { command: `cat ${file}` } }] }),
    fix: (path, old_str, new_str) => ({
      toolCalls: [
        {
          name: "str_replace_based_edit_tool",
          arguments: { command: "str_replace", path, old_str, new_str },
        },
      ],
    }),
  },
  "openai-responses": {
    cat: (file) => ({ toolCalls: [{ name: "shell", arguments: { commands: [`cat ${file}`] } }] }),
    fix: (path, old_string, new_string) => ({
      toolCalls: [{ name: "edit_file", arguments: { path, old_string, new_string } }],
    }),
  },
  gemini: {
    cat: (file) => ({ toolCalls: [{ name: "run_shell_command", arguments: { command: `cat ${file}` } }] }),
    fix: (file_path, old_string, new_string) => ({
      toolCalls: [{ name: "replace", arguments: { file_path, old_string, new_string } }],
    }),
  },
  // The chat model's first command prints a random number, so a replay of its traces differs.
  "openai-chat": {
    cat: (file) => ({
      toolCalls: [{ name: "bash", arguments: { command: `cat ${file}; echo "nonce $RANDOM$RANDOM"` } }],
    }),
    fix: (filePath, oldString, newString) => ({
      toolCalls: [{ name: "edit", arguments: { filePath, oldString, newString } }],
    }),
  },
};

/** A model that solves both examples: counts letters, reverses words, and fixes the coding bugs with tools. */
function solve(c: FakeConversation): FakeReply {
  const usage = { input: 1000, output: 100, cached: 200 };
  const prompt = textOf(c);
  const counted = letterCount(prompt);
  if (counted !== undefined) return { text: counted, usage };
  const reversed = /Write '([^']+)' backwards/.exec(prompt);
  if (reversed) return { text: [...reversed[1]!].reverse().join(""), usage };
  const bug = Object.values(BUGS).find((b) => prompt.includes(b.symptom));
  if (!bug) return { text: "I do not know this task.", usage };
  const done = toolResults(c).length;
  const tools = TOOLS[c.api];
  if (done === 0) return { ...tools.cat(bug.file), usage };
  if (done === 1) return { ...tools.fix(bug.file, bug.bug, bug.fix), usage };
  return { text: bug.summary, usage };
}

const PROVIDERS = [
  { agent: "claude", model: "claude-haiku-4-5", priced: true },
  { agent: "openai", model: "gpt-5", priced: true },
  { agent: "gemini", model: "gemini-2.5-pro", priced: true },
  { agent: "openai_compatible", model: "qwen3-8b", priced: false },
] as const;

interface Summary {
  job_id: string;
  reward: number;
  runs: number;
  errors: number;
  tokens: number | null;
  cost_usd: number | null;
  model: string | null;
  budget_stop: { budget_usd: number; spent_usd: number; not_started: number } | null;
}

let server: FakeModelServer;
let home: string;
let env: NodeJS.ProcessEnv;
const run = (args: string[], timeout = 90) => hud(args, { home, env, timeout });
const summary = (stdout: string) => JSON.parse(stdout) as Summary;

beforeAll(async () => {
  server = await startFakeModelServer({ policy: solve });
  home = await mkdtemp(join(tmpdir(), "hud-cli-models-"));
  env = {
    ANTHROPIC_API_KEY: "sk-ant-test",
    ANTHROPIC_BASE_URL: server.anthropicBaseURL,
    OPENAI_API_KEY: "sk-test",
    OPENAI_BASE_URL: server.openaiBaseURL,
    GEMINI_API_KEY: "gm-test",
    GEMINI_BASE_URL: server.geminiBaseURL,
    OPENAI_COMPATIBLE_BASE_URL: server.openaiBaseURL,
  };
});
afterAll(async () => {
  await server.close();
  await rm(home, { recursive: true, force: true });
});

describe.each(PROVIDERS)("hud eval with $agent ($model)", ({ agent, model, priced }) => {
  it("solves the quickstart with token and cost totals in the summary", { timeout: 120_000 }, async () => {
    const result = await run(["eval", QUICKSTART, agent, "-m", model, "--all", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const s = summary(result.stdout);
    expect([s.reward, s.runs, s.errors, s.model]).toEqual([1, 5, 0, model]);
    expect(s.tokens).toBe(5 * 1100);
    if (priced) expect(s.cost_usd).toBeGreaterThan(0);
    else expect(s.cost_usd ?? 0).toBe(0);
    const text = await run(["eval", QUICKSTART, agent, "-m", model, "--task-ids", "0"]);
    expect(text.stdout).toMatch(/Usage {8}1,100 tokens/);
    // The job's totals are stored: hud jobs shows them, per job and per trace.
    const jobs = await run(["jobs", s.job_id]);
    expect(jobs.stdout).toMatch(priced ? /^Usage {4}5,500 tokens, \$0\.\d{4}$/m : /^Usage {4}5,500 tokens$/m);
    const listed = JSON.parse((await run(["jobs", s.job_id, "--json"])).stdout) as {
      job: { tokens: number; cost_usd: number };
      traces: { tokens: number }[];
    };
    expect(listed.job.tokens).toBe(5500);
    expect(listed.job.cost_usd).toBeCloseTo(s.cost_usd ?? 0, 10);
    expect(listed.traces.map((t) => t.tokens)).toEqual([1100, 1100, 1100, 1100, 1100]);
  });

  it("fixes the coding workspace with shell and file-edit tools, visible in hud trace", {
    timeout: 120_000,
  }, async () => {
    const result = await run(["eval", CODING, agent, "-m", model, "--all", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const s = summary(result.stdout);
    expect([s.reward, s.runs, s.errors]).toEqual([1, 2, 0]);
    expect(s.tokens).toBe(2 * 3 * 1100);
    using store = LocalStore.open(home);
    const [first] = store.jobDetail(s.job_id).traces;
    const traced = await run(["trace", first!.trace_id]);
    expect(traced.code, traced.stderr).toBe(0);
    const calls = TOOLS[apiOf(agent)];
    const catName = calls.cat("x").toolCalls![0]!.name;
    const fixName = calls.fix("x", "a", "b").toolCalls![0]!.name;
    const out = traced.stdout;
    const order = [`→ ${catName}(`, `← ${catName}`, "$ cat src/", `→ ${fixName}(`, `← ${fixName}`, "grade 1"];
    let at = 0;
    for (const piece of order) {
      const next = out.indexOf(piece, at);
      expect(next, `'${piece}' after ${at} in:\n${out}`).toBeGreaterThanOrEqual(0);
      at = next + piece.length;
    }
    expect(out).toContain("Usage   3000 in, 300 out tokens");
  });
});

function apiOf(agent: string): FakeApi {
  return (
    ({ claude: "anthropic", openai: "openai-responses", gemini: "gemini" } as Record<string, FakeApi>)[
      agent
    ] ?? "openai-chat"
  );
}

describe("replay", () => {
  it("replays a whole job identically, and reports the first differing tool result of a trace", {
    timeout: 180_000,
  }, async () => {
    const original = summary(
      (await run(["eval", CODING, "claude", "-m", "claude-haiku-4-5", "--all", "--json"])).stdout,
    );
    const replayed = await run(["eval", CODING, "replay", "--job", original.job_id.slice(0, 8)]);
    expect(replayed.code, replayed.stderr + replayed.stdout).toBe(0);
    expect(replayed.stdout).toMatch(/replay of \w+ \(fix-range#0\): 2 tool results identical, reward 1\.000/);
    expect(replayed.stdout).toMatch(/replay of \w+ \(fix-price#0\): 2 tool results identical, reward 1\.000/);

    const chat = summary(
      (await run(["eval", CODING, "openai_compatible", "-m", "qwen3-8b", "--json"])).stdout,
    );
    using store = LocalStore.open(home);
    const [trace] = store.jobDetail(chat.job_id).traces;
    const differs = await run(["eval", CODING, "replay", "--trace", trace!.trace_id]);
    expect(differs.code).toBe(1);
    // The nondeterministic command is the trace's first tool call: the replay must name exactly that step.
    const firstTool = store.trace(trace!.trace_id).steps.find((step) => step.source === "tool")!;
    expect(differs.stdout).toContain(`step ${firstTool.step_id} (bash) differs`);
    expect(differs.stdout).toMatch(/stored: {3}".*nonce \d+/);
    expect(differs.stderr).toContain(
      "error: 1 replayed rollout(s) got a tool result that differs from the stored trace",
    );
  });
});

describe("limits and estimates", () => {
  it("stops a job before it overspends its budget, and says so", { timeout: 120_000 }, async () => {
    // Each rollout is one call of 1,000 input (200 cached) and 100 output tokens: $0.00132 at claude-haiku-4-5's prices.
    const args = [
      "eval",
      QUICKSTART,
      "claude",
      "-m",
      "claude-haiku-4-5",
      "--all",
      "--group",
      "4",
      "--max-concurrent",
      "2",
    ];
    const result = await run([...args, "--budget", "0.01", "--json"]);
    expect(result.code, result.stderr).toBe(0);
    const s = summary(result.stdout);
    expect(s.cost_usd).toBeLessThanOrEqual(0.01);
    expect(s.runs).toBe(7);
    expect(s.cost_usd).toBeCloseTo(7 * 0.00132, 10);
    expect(s.budget_stop).toMatchObject({ budget_usd: 0.01, not_started: 13 });
    const text = await run([...args, "--budget", "0.01"]);
    expect(text.stdout).toMatch(/Budget reached: \$0\.0092 spent of \$0\.01; 13 rollouts not started/);
  });

  it("ends a rollout at its cost limit, still grading it", { timeout: 120_000 }, async () => {
    const result = await run([
      "eval",
      CODING,
      "gemini",
      "-m",
      "gemini-2.5-pro",
      "--task-ids",
      "0",
      "--max-cost-per-rollout",
      "0.000001",
      "--json",
    ]);
    expect(result.code, result.stderr).toBe(0);
    const s = summary(result.stdout);
    using store = LocalStore.open(home);
    const trace = store.trace(store.jobDetail(s.job_id).traces[0]!.trace_id);
    expect(trace.stop_reason).toBe("length");
    expect(trace.steps.filter((step) => step.source === "agent")).toHaveLength(1);
    expect(
      trace.steps.some((step) => /cost limit reached: \$0\.\d+ spent of \$0\.000001/.test(step.error ?? "")),
    ).toBe(true);
    expect(trace.steps.at(-1)?.task_call?.phase).toBe("evaluate");
    expect(s.reward).toBe(0);
  });

  it("estimates a job's cost from recorded rollouts of the model without running it", {
    timeout: 60_000,
  }, async () => {
    const known = await run([
      "eval",
      QUICKSTART,
      "claude",
      "-m",
      "claude-haiku-4-5",
      "--all",
      "--group",
      "2",
      "--dry-run",
    ]);
    expect(known.code, known.stderr).toBe(0);
    expect(known.stdout).toMatch(/Estimated cost: \$\d+\.\d+ for 10 rollouts of claude-haiku-4-5/);
    const unknown = await run(["eval", QUICKSTART, "claude", "-m", "claude-opus-4-5", "--all", "--dry-run"]);
    expect(unknown.stdout).toContain("No recorded rollouts of claude-opus-4-5 with a known cost");
  });

  it("names the missing key in one line", async () => {
    const result = await hud(["eval", QUICKSTART, "gemini"], {
      home,
      env: { GEMINI_API_KEY: "", GOOGLE_API_KEY: "" },
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split("\n").at(-1)).toBe(
      "error: model 'gemini-3-pro-preview' needs GEMINI_API_KEY or GOOGLE_API_KEY (or HUD_API_KEY with HUD_GATEWAY_URL to go through the HUD gateway)",
    );
  });
});
