// The Gemini adapter end to end: ToolAgent + GeminiModel (the real @google/genai SDK) against the fake model
// server, through the real eval engine — a quickstart question, a coding fix in a sandboxed workspace, a 429.
import { resolve } from "node:path";
import { LocalRuntime, type Run, type Task, Taskset } from "hud";
import { describe, expect, it } from "vitest";
import { GeminiModel } from "../src/agents/providers/gemini/gemini-model.ts";
import { ToolAgent } from "../src/agents/tool-agent.ts";
import type { FakeConversation, FakePolicy } from "../src/testing/index.ts";
import {
  agentSteps,
  letterCount,
  promptOf,
  systemErrors,
  toolSteps,
  useFakeModelServer,
} from "./support/fake-model.ts";

const startServer = useFakeModelServer();
const EXAMPLES = resolve(import.meta.dirname, "../../../examples");
const MODEL = "gemini-2.5-pro";

async function geminiAgent(policy: FakePolicy) {
  const server = await startServer({ policy });
  const client = new GeminiModel({
    model: MODEL,
    apiKey: "test",
    baseURL: server.geminiBaseURL,
    timeoutSeconds: 10,
    // Quick retries, so the 429 case gives up in milliseconds.
    retry: { maxAttempts: 2, baseDelayMs: 1 },
  });
  const agent = new ToolAgent(
    client,
    { model: MODEL, maxSteps: 6 },
    { flavor: "gemini", pricing: () => undefined },
  );
  return { server, agent };
}

/** The example's first task, or the one with `slug`. */
async function exampleTask(example: string, slug?: string): Promise<Task> {
  const { tasks } = await Taskset.fromFile(resolve(EXAMPLES, example, "tasks.ts"));
  const found = slug === undefined ? tasks[0] : tasks.find((t) => t.slug === slug);
  if (!found) throw new Error(`no task ${slug} in examples/${example}`);
  return found;
}

/** One rollout through Task.run, the environment served in this process. */
async function runOnce(example: string, row: Task, agent: ToolAgent): Promise<Run> {
  const runtime = new LocalRuntime(resolve(EXAMPLES, example));
  const job = await row.run(agent, { runtime, rolloutTimeout: 60 });
  expect(job.runs).toHaveLength(1);
  return job.runs[0]!;
}

/** The function responses of the request's last turn, as Gemini received them on the wire. */
function wireFunctionResponses(conversation: FakeConversation) {
  const { contents } = conversation.body as {
    contents: { role: string; parts: Record<string, unknown>[] }[];
  };
  return contents
    .at(-1)!
    .parts.flatMap((part) =>
      part.functionResponse
        ? [part.functionResponse as { name: string; id?: string; response: Record<string, unknown> }]
        : [],
    );
}

describe("ToolAgent with GeminiModel", () => {
  it("answers the quickstart question and scores 1", { timeout: 60_000 }, async () => {
    const { server, agent } = await geminiAgent((conversation) => ({
      text: letterCount(promptOf(conversation)) ?? "?",
      usage: { input: 64, output: 1 },
    }));
    const run = await runOnce("quickstart", await exampleTask("quickstart"), agent);
    expect(run.trace.status).toBe("completed");
    expect(run.trace.content).toBe("3");
    expect(run.reward).toBe(1);
    const [step] = agentSteps(run.trace.steps);
    expect(step).toMatchObject({ content: "3", done: true, finish_reason: "STOP", model: MODEL });
    expect(step!.usage).toMatchObject({
      prompt_tokens: 64,
      completion_tokens: 1,
      cached_tokens: 0,
      llm_call_count: 1,
    });
    expect(server.requests).toHaveLength(1);
    expect(server.requests[0]!.apiKey).toEqual({ via: "x-goog-api-key", value: "test" });
    expect(server.requests[0]!.model).toBe(MODEL);
  });

  it("fixes the coding example with run_shell_command and replace, and scores 1", {
    timeout: 90_000,
  }, async () => {
    const { server, agent } = await geminiAgent((conversation) => {
      const result =
        conversation.messages.length > 1 ? conversation.messages.at(-1)!.parts.at(-1) : undefined;
      if (result?.type !== "tool_result") {
        return {
          reasoning: "The price is probably truncated; read src/price.js first.",
          toolCalls: [{ name: "run_shell_command", arguments: { command: "cat src/price.js" } }],
          usage: { input: 900, output: 40, cached: 300 },
        };
      }
      if (result.name === "run_shell_command") {
        // Fix the line the file really holds, as a model reading the output would.
        const line = result.text.split("\n").find((l) => l.includes("Math.floor(amount * 100)"));
        if (!line) return { text: `the bug is not where expected:\n${result.text}` };
        return {
          toolCalls: [
            {
              name: "replace",
              arguments: {
                file_path: "src/price.js",
                old_string: line,
                new_string: line.replace("floor", "round"),
              },
            },
          ],
          usage: { input: 1100, output: 60 },
        };
      }
      return { text: "formatPrice now rounds to the nearest cent.", usage: { input: 1200, output: 12 } };
    });
    const run = await runOnce("coding", await exampleTask("coding", "fix-price"), agent);
    expect(run.trace.status, JSON.stringify(run.trace.steps.filter((s) => s.error))).toBe("completed");
    expect(run.reward).toBe(1);
    expect(run.trace.content).toBe("formatPrice now rounds to the nearest cent.");

    const tools = toolSteps(run.trace.steps);
    expect(tools.map((t) => [t.call?.name, t.result?.isError])).toEqual([
      ["run_shell_command", false],
      ["replace", false],
    ]);
    const shown = tools[0]!.result!.content[0];
    expect(shown?.type === "text" && shown.text).toContain("Math.floor(amount * 100)");

    // The follow-up request answered the right function, in Gemini's {success, output} shape.
    expect(server.requests).toHaveLength(3);
    const [cat] = wireFunctionResponses(server.requests[1]!);
    expect(cat).toMatchObject({ name: "run_shell_command", response: { success: true } });
    expect(cat!.response.output).toContain("Math.floor(amount * 100)");
    expect(wireFunctionResponses(server.requests[2]!)).toMatchObject([
      { name: "replace", response: { success: true } },
    ]);

    const turns = agentSteps(run.trace.steps);
    expect(turns.map((s) => s.tool_calls.map((c) => c.name))).toEqual([
      ["run_shell_command"],
      ["replace"],
      [],
    ]);
    expect(turns[0]!.reasoning).toBe("The price is probably truncated; read src/price.js first.");
    expect(turns.map((s) => s.usage)).toMatchObject([
      { prompt_tokens: 900, completion_tokens: 40, cached_tokens: 300 },
      { prompt_tokens: 1100, completion_tokens: 60, cached_tokens: 0 },
      { prompt_tokens: 1200, completion_tokens: 12, cached_tokens: 0 },
    ]);
  });

  it("reports a 429 as one clear line in the trace", { timeout: 60_000 }, async () => {
    const { server, agent } = await geminiAgent(() => ({
      fault: 429,
      message: "Resource has been exhausted (e.g. check quota).",
    }));
    const run = await runOnce("quickstart", await exampleTask("quickstart"), agent);
    expect(run.trace.status).toBe("error");
    expect(run.reward).toBe(0);
    const errors = systemErrors(run.trace.steps);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(
      /^Gemini API error 429 RESOURCE_EXHAUSTED: Resource has been exhausted \(e\.g\. check quota\)\. \(rate limited.*\) \(after 2 attempts\)$/,
    );
    expect(server.requests).toHaveLength(2);
    expect(errors[0]).not.toContain("\n");
    expect(agentSteps(run.trace.steps)).toEqual([]);
  });
});
