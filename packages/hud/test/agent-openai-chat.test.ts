// The OpenAI-compatible agent end to end: ToolAgent over OpenAIChatModel (the real `openai` SDK) against the
// fake model server, through real rollouts of the example environments (quickstart in-process; coding with
// its bubblewrap workspace over SSH).
import { LocalRuntime, rollout } from "hud";
import { describe, expect, it } from "vitest";
import { env as codingEnv, fixRange } from "../../../examples/coding/env.ts";
import { count, env as quickstartEnv } from "../../../examples/quickstart/env.ts";
import { OpenAIChatModel } from "../src/agents/providers/openai-chat/openai-chat-model.ts";
import { ToolAgent } from "../src/agents/tool-agent.ts";
import type { FakeConversation, FakeModelServer, FakePolicy } from "../src/testing/index.ts";
import {
  agentSteps,
  promptOf,
  systemErrors,
  toolResults,
  toolSteps,
  useFakeModelServer,
} from "./support/fake-model.ts";

const startServer = useFakeModelServer();
const fakeServer = (policy: FakePolicy) => startServer({ policy });

function chatAgent(
  server: FakeModelServer,
  model = "qwen3-8b",
  retry?: { maxAttempts: number; baseDelayMs: number },
) {
  const client = new OpenAIChatModel({ model, baseURL: server.openaiBaseURL, timeoutSeconds: 20, retry });
  return new ToolAgent(client, { model, maxSteps: 6 }, { flavor: "chat", pricing: () => undefined });
}

/** A chat request's body as the server received it. */
type ChatBody = {
  model: string;
  messages: Record<string, unknown>[];
  tools?: { function: { name: string } }[];
};
const bodyOf = (conversation: FakeConversation | undefined) => conversation?.body as ChatBody;

describe("ToolAgent over an OpenAI-compatible server", () => {
  it("answers the quickstart task from the prompt and scores 1", { timeout: 30_000 }, async () => {
    const server = await fakeServer((conversation) => {
      const [, letter, word] = /letter '(.)' appear in '([^']+)'/.exec(promptOf(conversation)) ?? [];
      const n = [...(word ?? "")].filter((c) => c === letter).length;
      return {
        text: String(n),
        reasoning: `Counting '${letter}' in ${word}.`,
        usage: { input: 58, output: 9 },
      };
    });
    const job = await count({ word: "strawberry", letter: "r" }).run(chatAgent(server), {
      runtime: new LocalRuntime(quickstartEnv),
    });
    const [run] = job.runs;
    expect(run?.reward).toBe(1);
    expect(run?.trace).toMatchObject({ status: "completed", stop_reason: "done", content: "3" });
    expect(agentSteps(run!.trace.steps)).toMatchObject([
      {
        content: "3",
        reasoning: "Counting 'r' in strawberry.",
        done: true,
        finish_reason: "stop",
        model: "qwen3-8b",
        usage: { prompt_tokens: 58, completion_tokens: 9, cached_tokens: 0, llm_call_count: 1 },
      },
    ]);
    // No capabilities, so no tools; the prompt goes as the only user message.
    expect(bodyOf(server.requests[0])).toMatchObject({
      model: "qwen3-8b",
      messages: [{ role: "user", content: expect.stringContaining("How many times does the letter 'r'") }],
      stream: false,
    });
    expect(bodyOf(server.requests[0]).tools).toBeUndefined();
  });

  it("fixes the coding task with bash and edit, and scores 1", { timeout: 60_000 }, async () => {
    const server = await fakeServer((conversation) => {
      const results = toolResults(conversation);
      if (results.length === 0) {
        return {
          toolCalls: [{ id: "call_cat", name: "bash", arguments: { command: "cat src/dates.js" } }],
          usage: { input: 1200, output: 20 },
        };
      }
      if (results.length === 1) {
        if (!results[0]!.text.includes("time < last;")) return { text: "the bug was not where I looked" };
        return {
          reasoning: "The loop stops before the last day.",
          toolCalls: [
            {
              id: "call_edit",
              name: "edit",
              arguments: { filePath: "src/dates.js", oldString: "time < last;", newString: "time <= last;" },
            },
          ],
          usage: { input: 1500, output: 40, cached: 1200 },
        };
      }
      return {
        text: "dateRange now includes the end date (`<` became `<=`).",
        usage: { input: 1600, output: 15 },
      };
    });
    const run = await rollout(fixRange(), chatAgent(server), { runtime: new LocalRuntime(codingEnv) });
    expect(run.trace.error).toBeUndefined();
    expect(run.reward).toBe(1);
    expect(run.trace).toMatchObject({ status: "completed", stop_reason: "done" });

    const [cat, edit] = toolSteps(run.trace.steps);
    expect(cat).toMatchObject({
      call: { id: "call_cat", name: "bash", arguments: { command: "cat src/dates.js" } },
      result: { isError: false, call_id: "call_cat" },
    });
    expect(JSON.stringify(cat?.result?.content)).toContain("time < last;");
    expect(edit).toMatchObject({ call: { id: "call_edit", name: "edit" }, result: { isError: false } });
    expect(agentSteps(run.trace.steps).map((s) => [s.tool_calls.map((c) => c.name), s.usage])).toEqual([
      [
        ["bash"],
        {
          prompt_tokens: 1200,
          completion_tokens: 20,
          cached_tokens: 0,
          cost_usd: undefined,
          llm_call_count: 1,
        },
      ],
      [
        ["edit"],
        {
          prompt_tokens: 1500,
          completion_tokens: 40,
          cached_tokens: 1200,
          cost_usd: undefined,
          llm_call_count: 1,
        },
      ],
      [
        [],
        {
          prompt_tokens: 1600,
          completion_tokens: 15,
          cached_tokens: 0,
          cost_usd: undefined,
          llm_call_count: 1,
        },
      ],
    ]);

    // The workspace offered as the opencode-style tools, and each result sent back as a `tool` message.
    const [first, second, third] = server.requests.map(bodyOf);
    // The reference offers [bash, read, glob, grep, edit, write] in that order (workspace-tools sets it).
    expect(first?.tools?.map((t) => t.function.name).sort()).toEqual([
      "bash",
      "edit",
      "glob",
      "grep",
      "read",
      "write",
    ]);
    expect(second?.messages.at(-2)).toEqual({
      role: "assistant",
      content: null,
      tool_calls: [
        {
          id: "call_cat",
          type: "function",
          function: { name: "bash", arguments: '{"command":"cat src/dates.js"}' },
        },
      ],
    });
    expect(second?.messages.at(-1)).toMatchObject({
      role: "tool",
      tool_call_id: "call_cat",
      content: expect.stringContaining("time < last;"),
    });
    expect(third?.messages.at(-2)).toMatchObject({
      role: "assistant",
      reasoning_content: "The loop stops before the last day.",
    });
    expect(third?.messages.at(-1)).toMatchObject({ role: "tool", tool_call_id: "call_edit" });
  });

  it("answers malformed tool-call arguments with the reference's error and does not run them", {
    timeout: 60_000,
  }, async () => {
    const cutOff = '{"command": "touch executed.txt && echo';
    const server = await fakeServer((conversation) => {
      const results = toolResults(conversation);
      if (results.length === 0) return { toolCalls: [{ id: "call_bad", name: "bash", arguments: cutOff }] };
      if (results.length === 1)
        return { toolCalls: [{ id: "call_ls", name: "bash", arguments: { command: "ls" } }] };
      return { text: "giving up" };
    });
    const run = await rollout(fixRange(), chatAgent(server), { runtime: new LocalRuntime(codingEnv) });

    const [bad, ls] = toolSteps(run.trace.steps);
    const expected =
      `the arguments for this 'bash' call arrived incomplete (cut off mid-generation or invalid JSON), so it was ` +
      `not executed. Received: '${cutOff}'. Re-issue the call in full.`;
    expect(bad).toMatchObject({
      call: { id: "call_bad", name: "bash", arguments: cutOff },
      result: { isError: true, content: [{ type: "text", text: expected }] },
    });
    // The command never ran: the workspace has no file it would have made.
    expect(ls?.result?.isError).toBe(false);
    expect(JSON.stringify(ls?.result?.content)).toContain("package.json");
    expect(JSON.stringify(ls?.result?.content)).not.toContain("executed.txt");
    // The model got the error as the call's tool message; the call was replayed with parseable arguments.
    const second = bodyOf(server.requests[1]);
    expect(second.messages.at(-2)).toMatchObject({
      tool_calls: [{ id: "call_bad", function: { name: "bash", arguments: "{}" } }],
    });
    expect(second.messages.at(-1)).toEqual({ role: "tool", tool_call_id: "call_bad", content: expected });
    expect(run.trace.status).toBe("completed");
  });

  it("reports a rate limit that outlasts the retries as one clear line in the trace", {
    timeout: 30_000,
  }, async () => {
    const server = await fakeServer(() => ({ fault: 429, message: "Rate limit reached for requests" }));
    // Its own model name: the 429s shrink this model's concurrency limit, shared process-wide.
    const agent = chatAgent(server, "qwen3-8b-rate-limited", { maxAttempts: 2, baseDelayMs: 1 });
    const run = await rollout(count({ word: "banana", letter: "a" }), agent, {
      runtime: new LocalRuntime(quickstartEnv),
    });
    expect(server.requests).toHaveLength(2);
    expect(run.trace.status).toBe("error");
    expect(systemErrors(run.trace.steps)).toEqual([
      `the OpenAI-compatible server at ${server.openaiBaseURL} answered 429: Rate limit reached for requests ` +
        "(rate limited: run fewer rollouts at once, or wait) (after 2 attempts)",
    ]);
    // Still graded, on no answer.
    expect(run.reward).toBe(0);
  });
});
