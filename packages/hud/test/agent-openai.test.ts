// The OpenAI Responses adapter end to end: ToolAgent + OpenAIModel (the real `openai` SDK) against the fake
// model server, through rollout() and real environments — the quickstart letters task, the coding workspace
// with the built-in shell tool, a 429.
import { rollout } from "hud";
import { describe, expect, it } from "vitest";
import { env as coding, fixPrice } from "../../../examples/coding/env.ts";
import { count, env as quickstart } from "../../../examples/quickstart/env.ts";
import { OpenAIModel, type OpenAIModelOptions } from "../src/agents/providers/openai/openai-model.ts";
import { ToolAgent } from "../src/agents/tool-agent.ts";
import { LocalRuntime } from "../src/runtime/local.ts";
import type { FakeConversation, FakeModelServer, FakePolicy } from "../src/testing/index.ts";
import {
  agentSteps,
  letterCount,
  promptOf,
  systemErrors,
  toolResults,
  toolSteps,
  useFakeModelServer,
} from "./support/fake-model.ts";

const startServer = useFakeModelServer();
let server: FakeModelServer | undefined;

async function openaiAgent(policy: FakePolicy, options: Partial<OpenAIModelOptions> = {}) {
  server = await startServer({ policy });
  const model = new OpenAIModel({
    model: "gpt-5",
    apiKey: "test",
    baseURL: server.openaiBaseURL,
    timeoutSeconds: 20,
    ...options,
  });
  return new ToolAgent(
    model,
    { model: "gpt-5", maxSteps: 6 },
    { flavor: "openai", pricing: () => undefined },
  );
}

/** The input items of a recorded request body. */
const inputOf = (conversation: FakeConversation) =>
  (conversation.body as { input: Record<string, unknown>[] }).input;

describe("OpenAI Responses adapter over the fake API", () => {
  it("answers the quickstart letters task from the prompt and scores 1", { timeout: 30_000 }, async () => {
    const agent = await openaiAgent((conversation) => ({
      text: letterCount(promptOf(conversation)) ?? "?",
      reasoning: "Count the r's.",
      usage: { input: 120, cached: 0, output: 9 },
    }));
    const run = await rollout(count({ word: "strawberry", letter: "r" }), agent, {
      runtime: new LocalRuntime(quickstart),
    });
    expect(run.reward).toBe(1);
    expect(run.trace).toMatchObject({ content: "3", status: "completed", stop_reason: "done" });
    const [step] = agentSteps(run.trace.steps);
    expect(step).toMatchObject({
      content: "3",
      reasoning: "Count the r's.",
      done: true,
      finish_reason: "stop",
      model: "gpt-5",
      usage: { prompt_tokens: 120, completion_tokens: 9, cached_tokens: 0, llm_call_count: 1 },
    });
    // One unstored, non-streaming call with the prompt as a user message and no tools (the env offers none).
    const [request] = server!.requests;
    expect(request).toMatchObject({ api: "openai-responses", model: "gpt-5", stream: false });
    expect(request!.body).toMatchObject({ store: false, input: [{ type: "message", role: "user" }] });
    expect(request!.body).not.toHaveProperty("tools");
    expect(request!.apiKey).toMatchObject({ via: "authorization", value: "test" });
  });

  it("fixes the coding task with the built-in shell and edit_file, and scores 1", {
    timeout: 90_000,
  }, async () => {
    const agent = await openaiAgent((conversation) => {
      const results = toolResults(conversation);
      if (results.length === 0) {
        return {
          reasoning: "Prices are a cent low, so something truncates.",
          toolCalls: [{ id: "call_cat", name: "shell", arguments: { commands: ["cat src/price.js"] } }],
          usage: { input: 900, cached: 0, output: 30 },
        };
      }
      if (results.length === 1) {
        const buggy = results[0]!.text.includes("Math.floor(amount * 100)");
        return {
          text: buggy ? "formatPrice truncates." : "I could not find the bug.",
          toolCalls: [
            {
              id: "call_fix",
              name: "edit_file",
              // As a strict call sends it: the optional replace_all as null.
              arguments: {
                path: "src/price.js",
                old_string: "Math.floor(amount * 100)",
                new_string: "Math.round(amount * 100)",
                replace_all: null,
              },
            },
          ],
          usage: { input: 1400, cached: 900, output: 40 },
        };
      }
      return {
        text: "formatPrice now rounds to the nearest cent.",
        usage: { input: 1600, cached: 1400, output: 12 },
      };
    });
    const run = await rollout(fixPrice(), agent, { runtime: new LocalRuntime(coding) });
    expect(run.trace.status, JSON.stringify(run.trace.steps.filter((s) => s.source === "system"))).toBe(
      "completed",
    );
    expect(run.reward).toBe(1);
    expect(run.trace.content).toBe("formatPrice now rounds to the nearest cent.");

    const tools = toolSteps(run.trace.steps);
    expect(
      tools.map((s) => [s.call?.id, s.call?.name, s.call?.arguments, s.result?.isError, s.result?.call_id]),
    ).toEqual([
      ["call_cat", "shell", { commands: ["cat src/price.js"] }, false, "call_cat"],
      [
        "call_fix",
        "edit_file",
        {
          path: "src/price.js",
          old_string: "Math.floor(amount * 100)",
          new_string: "Math.round(amount * 100)",
        },
        false,
        "call_fix",
      ],
    ]);
    const cat = tools[0]!.result!.structuredContent as { stdout: string; exit_code: number };
    expect(cat.exit_code).toBe(0);
    expect(cat.stdout).toContain("Math.floor(amount * 100)");

    const steps = agentSteps(run.trace.steps);
    expect(
      steps.map((s) => [
        s.finish_reason,
        s.usage?.prompt_tokens,
        s.usage?.completion_tokens,
        s.usage?.cached_tokens,
      ]),
    ).toEqual([
      ["tool_calls", 900, 30, 0],
      ["tool_calls", 1400, 40, 900],
      ["stop", 1600, 12, 1400],
    ]);
    expect(steps[0]!.reasoning).toBe("Prices are a cent low, so something truncates.");

    // The tools went out as the built-in local shell and strict functions.
    const [first, second, third] = server!.requests;
    expect(first!.tools.map((t) => [t.name, t.kind])).toEqual([
      ["shell", "shell"],
      ["read_file", "function"],
      ["edit_file", "function"],
      ["write_file", "function"],
    ]);
    // The second call sent the whole conversation back: the prompt, the shell call (no id: nothing is stored;
    // the reasoning item had no encrypted content so it stayed out) and its output under the call's id.
    expect(inputOf(second!).map((item) => item.type)).toEqual(["message", "shell_call", "shell_call_output"]);
    expect(inputOf(second!)[1]).not.toHaveProperty("id");
    expect(inputOf(second!)[2]).toEqual({
      type: "shell_call_output",
      call_id: "call_cat",
      output: [{ stdout: cat.stdout, stderr: "", outcome: { type: "exit", exit_code: 0 } }],
    });
    expect(toolResults(second!)).toEqual([expect.objectContaining({ id: "call_cat", name: "shell" })]);
    // The third carried the edit's function_call_output under its call id.
    expect(
      inputOf(third!)
        .slice(3)
        .map((item) => [item.type, item.call_id]),
    ).toEqual([
      ["message", undefined],
      ["function_call", "call_fix"],
      ["function_call_output", "call_fix"],
    ]);
    expect(toolResults(third!)[1]).toMatchObject({
      id: "call_fix",
      name: "edit_file",
      text: expect.stringMatching(/^Edited /),
    });
    expect(third!.body).toMatchObject({ store: false });
  });

  it("retries a 429 under the shared policy, then reports it in one line and still grades", {
    timeout: 30_000,
  }, async () => {
    const limited = () => ({
      fault: 429,
      message: "Rate limit reached for gpt-5 on requests per min (RPM): Limit 3.",
    });
    const agent = await openaiAgent(limited, { retry: { maxAttempts: 2, maxDelayMs: 20 } });
    const run = await rollout(count({ word: "banana", letter: "a" }), agent, {
      runtime: new LocalRuntime(quickstart),
    });
    expect(server!.requests).toHaveLength(2);
    expect(run.trace.status).toBe("error");
    expect(run.reward).toBe(0);
    expect(systemErrors(run.trace.steps)).toEqual([
      "OpenAI (model 'gpt-5') answered 429: Rate limit reached for gpt-5 on requests per min (RPM): Limit 3. (rate limited: run fewer rollouts at once, or wait) (after 2 attempts)",
    ]);
  });

  it("reports an unreachable endpoint in one line", { timeout: 30_000 }, async () => {
    server = await startServer();
    const baseURL = server.openaiBaseURL;
    await server.close();
    const model = new OpenAIModel({ model: "gpt-5", apiKey: "test", baseURL, retry: { maxAttempts: 1 } });
    await expect(
      model.complete({ messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }], tools: [] }),
    ).rejects.toThrow(/^could not reach OpenAI \(model 'gpt-5'\): .*ECONNREFUSED/);
  });

  it("ends a call that hangs when the run is aborted", { timeout: 30_000 }, async () => {
    server = await startServer({ policy: () => ({ hang: true }) });
    const model = new OpenAIModel({ apiKey: "test", baseURL: server.openaiBaseURL });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("run cancelled")), 50);
    await expect(
      model.complete({
        messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
        tools: [],
        signal: controller.signal,
      }),
    ).rejects.toThrow("run cancelled");
  });

  it("sends the system prompt, settings and the request's headers", { timeout: 30_000 }, async () => {
    server = await startServer({ policy: () => ({ text: "ok" }) });
    const model = new OpenAIModel({
      apiKey: "test",
      baseURL: server.openaiBaseURL,
      headers: { "x-team": "evals" },
      maxOutputTokens: 512,
      reasoning: { effort: "low", summary: "auto" },
    });
    const turn = await model.complete({
      system: "Be brief.",
      messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
      tools: [],
      headers: { "Trace-Id": "0123456789abcdef0123456789abcdef" },
    });
    expect(turn).toMatchObject({ message: { text: "ok" }, finishReason: "stop", model: "gpt-5.6" });
    const [request] = server.requests;
    expect(request!.headers).toMatchObject({
      "trace-id": "0123456789abcdef0123456789abcdef",
      "x-team": "evals",
    });
    expect(request).toMatchObject({ system: "Be brief.", maxTokens: 512, model: "gpt-5.6" });
    expect(request!.body).toMatchObject({
      reasoning: { effort: "low", summary: "auto" },
      include: ["reasoning.encrypted_content"],
    });
  });
});
