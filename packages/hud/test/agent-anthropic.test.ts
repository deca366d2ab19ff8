// The Claude adapter end to end: ToolAgent + AnthropicModel (the real Anthropic SDK) against the fake model
// server, through rollout() and real environments — the quickstart letters task, the coding workspace, a 429.
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { rollout } from "hud";
import { describe, expect, it } from "vitest";
import { env as coding, fixRange } from "../../../examples/coding/env.ts";
import { count, env as quickstart } from "../../../examples/quickstart/env.ts";
import {
  AnthropicModel,
  type AnthropicModelOptions,
} from "../src/agents/providers/anthropic/anthropic-model.ts";
import { ToolAgent } from "../src/agents/tool-agent.ts";
import { LocalRuntime } from "../src/runtime/local.ts";
import type { FakeModelServer, FakePolicy } from "../src/testing/index.ts";
import { useCleanup } from "./support/cleanup.ts";
import {
  agentSteps,
  letterCount,
  promptOf,
  systemErrors,
  toolResults,
  toolSteps,
  useFakeModelServer,
} from "./support/fake-model.ts";

const defer = useCleanup();
const startServer = useFakeModelServer();
let server: FakeModelServer | undefined;

async function claudeAgent(policy: FakePolicy, retry?: AnthropicModelOptions["retry"]) {
  server = await startServer({ policy });
  const model = new AnthropicModel({
    model: "claude-haiku-4-5",
    apiKey: "test",
    baseURL: server.anthropicBaseURL,
    timeoutSeconds: 20,
    ...(retry ? { retry } : {}),
  });
  return new ToolAgent(
    model,
    { model: "claude-haiku-4-5", maxSteps: 6 },
    { flavor: "claude", pricing: () => undefined },
  );
}

describe("Claude adapter over the fake Anthropic API", () => {
  it("answers the quickstart letters task from the prompt and scores 1", { timeout: 30_000 }, async () => {
    const agent = await claudeAgent((conversation) => ({
      text: letterCount(promptOf(conversation)) ?? "?",
      usage: { input: 120, cached: 0, output: 1 },
    }));
    const run = await rollout(count({ word: "strawberry", letter: "r" }), agent, {
      runtime: new LocalRuntime(quickstart),
    });
    expect(run.reward).toBe(1);
    expect(run.trace).toMatchObject({ content: "3", status: "completed", stop_reason: "done" });
    const [step] = agentSteps(run.trace.steps);
    expect(step).toMatchObject({
      content: "3",
      done: true,
      finish_reason: "end_turn",
      model: "claude-haiku-4-5",
      usage: { prompt_tokens: 120, completion_tokens: 1, cached_tokens: 0, llm_call_count: 1 },
    });
    // One streamed Messages call, with no tool fields (the quickstart env offers no tools).
    const [request] = server!.requests;
    expect(request).toMatchObject({
      api: "anthropic",
      model: "claude-haiku-4-5",
      stream: true,
      maxTokens: 16384,
    });
    expect(request!.body).not.toHaveProperty("tools");
    // This SDK sends the key as a bearer token.
    expect(request!.apiKey).toMatchObject({ value: "test" });
  });

  it("fixes the coding task with bash and the text editor, and scores 1", { timeout: 90_000 }, async () => {
    const agent = await claudeAgent((conversation) => {
      const results = toolResults(conversation);
      if (results.length === 0) {
        return {
          text: "Let me read the date helper.",
          reasoning: "The last day is missing, so the loop bound is likely off by one.",
          toolCalls: [{ id: "toolu_cat", name: "bash", arguments: { command: "cat src/dates.js" } }],
          usage: { input: 900, cached: 0, output: 30 },
        };
      }
      if (results.length === 1) {
        const buggy = results[0]!.text.includes("time < last;");
        return {
          text: buggy ? "The loop stops before the end date." : "I could not find the bug.",
          toolCalls: [
            {
              id: "toolu_fix",
              name: "str_replace_based_edit_tool",
              arguments: {
                command: "str_replace",
                path: "src/dates.js",
                old_str: "time < last;",
                new_str: "time <= last;",
              },
            },
          ],
          usage: { input: 1400, cached: 900, output: 40 },
        };
      }
      return {
        text: "dateRange now includes the end date (`<` became `<=`).",
        usage: { input: 1600, cached: 1400, output: 15 },
      };
    });
    const run = await rollout(fixRange(), agent, { runtime: new LocalRuntime(coding) });
    expect(run.trace.status, JSON.stringify(run.trace.steps.filter((s) => s.source === "system"))).toBe(
      "completed",
    );
    expect(run.reward).toBe(1);
    expect(run.trace.content).toBe("dateRange now includes the end date (`<` became `<=`).");

    const tools = toolSteps(run.trace.steps);
    expect(tools.map((s) => [s.call?.id, s.call?.name, s.result?.isError, s.result?.call_id])).toEqual([
      ["toolu_cat", "bash", false, "toolu_cat"],
      ["toolu_fix", "str_replace_based_edit_tool", false, "toolu_fix"],
    ]);
    const catText = String(tools[0]!.result!.content[0]?.text);
    expect(catText.startsWith("$ cat src/dates.js\n")).toBe(true);
    expect(catText).toContain("time < last;");
    expect(String(tools[1]!.result!.content[0]?.text)).toMatch(
      /^The file \S*src\/dates\.js has been edited\.$/,
    );

    const steps = agentSteps(run.trace.steps);
    expect(steps.map((s) => [s.finish_reason, s.usage?.prompt_tokens, s.usage?.cached_tokens])).toEqual([
      ["tool_use", 900, 0],
      ["tool_use", 1400, 900],
      ["end_turn", 1600, 1400],
    ]);
    expect(steps[0]!.reasoning).toBe("The last day is missing, so the loop bound is likely off by one.");

    // The second request carried Claude's built-in tools and the bash result under the call's id.
    const second = server!.requests[1]!;
    expect(second.tools.map((t) => [t.name, t.kind])).toEqual([
      ["bash", "bash_20250124"],
      ["str_replace_based_edit_tool", "text_editor_20250728"],
    ]);
    expect(toolResults(second)).toEqual([
      expect.objectContaining({ id: "toolu_cat", name: "bash", text: catText }),
    ]);
    const body = second.body as { messages: { role: string; content: Record<string, unknown>[] }[] };
    const assistant = body.messages[1]!;
    // The thinking block went back verbatim, signature included, before the tool_use it led to.
    expect(assistant.content.map((b) => b.type)).toEqual(["thinking", "text", "tool_use"]);
    expect(assistant.content[0]!.signature).toEqual(expect.any(String));
    expect(body.messages.at(-1)!.content.at(-1)).toMatchObject({
      type: "tool_result",
      tool_use_id: "toolu_cat",
      cache_control: { type: "ephemeral" },
    });
  });

  it("retries a 429 under the shared policy, then reports it in one line and still grades", {
    timeout: 30_000,
  }, async () => {
    const limited = () => ({
      fault: 429,
      retryAfter: 7,
      message: "Number of requests has exceeded your rate limit.",
    });
    // Two attempts, the server's 7 s wait capped to 20 ms: the test sees a retry without waiting for it.
    const agent = await claudeAgent(limited, { maxAttempts: 2, maxDelayMs: 20 });
    const run = await rollout(count({ word: "banana", letter: "a" }), agent, {
      runtime: new LocalRuntime(quickstart),
    });
    expect(server!.requests).toHaveLength(2);
    expect(run.trace.status).toBe("error");
    expect(run.reward).toBe(0);
    expect(systemErrors(run.trace.steps)).toEqual([
      "Anthropic API error 429 rate_limit_error: Number of requests has exceeded your rate limit. (retry after 7s) (after 2 attempts)",
    ]);
  });

  it("sends the request's headers with the call", { timeout: 30_000 }, async () => {
    server = await startServer({ policy: () => ({ text: "ok" }) });
    const model = new AnthropicModel({
      model: "claude-opus-4-8",
      apiKey: "test",
      baseURL: server.anthropicBaseURL,
      headers: { "x-team": "evals" },
      maxTokens: 512,
    });
    const turn = await model.complete({
      system: "Be brief.",
      messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }],
      tools: [],
      headers: { "Trace-Id": "0123456789abcdef0123456789abcdef" },
    });
    expect(turn).toMatchObject({ message: { text: "ok" }, finishReason: "stop", model: "claude-opus-4-8" });
    const [request] = server.requests;
    expect(request!.headers).toMatchObject({
      "trace-id": "0123456789abcdef0123456789abcdef",
      "x-team": "evals",
    });
    expect(request).toMatchObject({ system: "Be brief.", maxTokens: 512, model: "claude-opus-4-8" });
  });
});

/** One user turn, the smallest request. */
const HI = {
  messages: [{ role: "user" as const, content: [{ type: "text" as const, text: "hi" }] }],
  tools: [],
};

/** Starts a stream as the API does: message_start, then whatever `then` does with the response. */
async function startedStream(then: (res: ServerResponse) => void): Promise<string> {
  const bare = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { "content-type": "text/event-stream" });
    const message = {
      id: "msg_01",
      type: "message",
      role: "assistant",
      content: [],
      model: "claude-haiku-4-5",
      stop_reason: null,
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: 1 },
    };
    res.write(`event: message_start\ndata: ${JSON.stringify({ type: "message_start", message })}\n\n`);
    then(res);
  });
  await new Promise<void>((resolve) => bare.listen(0, "127.0.0.1", resolve));
  defer(async () => {
    bare.closeAllConnections();
    await new Promise((resolve) => bare.close(resolve));
  });
  return `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
}

describe("Claude adapter when the transport fails", () => {
  it("names an unreachable endpoint", { timeout: 30_000 }, async () => {
    server = await startServer();
    const baseURL = server.anthropicBaseURL;
    await server.close();
    const model = new AnthropicModel({ apiKey: "test", baseURL, retry: { maxAttempts: 1 } });
    await expect(model.complete(HI)).rejects.toThrow(
      new RegExp(`^could not reach the Anthropic API at ${baseURL}: .*ECONNREFUSED`),
    );
  });

  it("retries a stream cut mid-answer, then says the connection broke", { timeout: 30_000 }, async () => {
    let calls = 0;
    const baseURL = await startedStream((res) => {
      calls++;
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const model = new AnthropicModel({ apiKey: "test", baseURL, retry: { maxAttempts: 2, baseDelayMs: 10 } });
    await expect(model.complete(HI)).rejects.toThrow(
      `the connection to the Anthropic API at ${baseURL} broke mid-response (other side closed) (after 2 attempts)`,
    );
    expect(calls).toBe(2);
  });

  it("ends a call that hangs before answering when the run is aborted", { timeout: 30_000 }, async () => {
    server = await startServer({ policy: () => ({ hang: true }) });
    const model = new AnthropicModel({ apiKey: "test", baseURL: server.anthropicBaseURL });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("run cancelled")), 50);
    await expect(model.complete({ ...HI, signal: controller.signal })).rejects.toThrow("run cancelled");
  });

  it("ends a stream that stalls mid-answer when the run is aborted", { timeout: 30_000 }, async () => {
    const baseURL = await startedStream(() => {});
    const model = new AnthropicModel({ apiKey: "test", baseURL });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error("run cancelled")), 100);
    await expect(model.complete({ ...HI, signal: controller.signal })).rejects.toThrow("run cancelled");
  });
});
