import { describe, expect, it } from "vitest";
import { Task } from "../environment/task.ts";
import { Run } from "../eval/run.ts";
import type { AgentStep, ToolStep } from "../eval/trace.ts";
import type { ModelToolCall } from "./model/conversation.ts";
import type { ModelClient, ModelRequest, ModelTurn } from "./model/model-client.ts";
import { ToolAgent, type ToolAgentConfig } from "./tool-agent.ts";
import { type AgentTool, ToolInfrastructureError, textOutput } from "./tools/tool.ts";

/** A model that answers from a list of turns and keeps every request it got. */
class ListedModel implements ModelClient {
  readonly provider = "test";
  readonly model = "listed-1";
  readonly requests: ModelRequest[] = [];
  private readonly turns:
    | (Partial<ModelTurn> & { text?: string; calls?: ModelToolCall[] })[]
    | (() => never)[];
  constructor(turns: (Partial<ModelTurn> & { text?: string; calls?: ModelToolCall[] })[]) {
    this.turns = turns;
  }
  async complete(request: ModelRequest): Promise<ModelTurn> {
    this.requests.push({ ...request, messages: [...request.messages] });
    const next = this.turns[Math.min(this.requests.length - 1, this.turns.length - 1)];
    if (typeof next === "function") return next();
    return {
      message: { role: "assistant", text: next?.text ?? "", toolCalls: next?.calls ?? [] },
      finishReason: next?.finishReason ?? ((next?.calls ?? []).length > 0 ? "tool_calls" : "stop"),
      providerFinishReason: next?.providerFinishReason,
      usage: next?.usage ?? { inputTokens: 100, outputTokens: 10, cachedInputTokens: 20 },
      model: "listed-1",
    };
  }
}

const echo: AgentTool = {
  spec: { name: "echo", description: "echo", parameters: { type: "object" } },
  async call(args) {
    return textOutput(`echo ${JSON.stringify(args)}`);
  },
};

function call(name: string, args: ModelToolCall["arguments"], id = `c-${name}`): ModelToolCall {
  return { id, name, arguments: args };
}

async function runWith(
  model: ModelClient,
  config: Partial<ToolAgentConfig> = {},
  tools: AgentTool[] = [echo],
) {
  const run = new Run({ task: new Task({ env: "e", id: "t" }) });
  run.prompt = "do it";
  const agent = new ToolAgent(
    model,
    { model: "listed-1", ...config },
    { flavor: "chat", pricing: () => 0.5, tools },
  );
  await agent.run(run);
  return run.trace;
}

const agentSteps = (steps: unknown[]) =>
  steps.filter((s) => (s as AgentStep).source === "agent") as AgentStep[];
const toolSteps = (steps: unknown[]) => steps.filter((s) => (s as ToolStep).source === "tool") as ToolStep[];

describe("ToolAgent loop", () => {
  it("answers with the last turn's text and records usage and cost", async () => {
    const model = new ListedModel([{ text: "42" }]);
    const trace = await runWith(model, { systemPrompt: "be brief" });
    expect(trace.content).toBe("42");
    expect(trace.status).toBe("completed");
    expect(trace.stop_reason).toBe("done");
    const [step] = agentSteps(trace.steps);
    expect(step).toMatchObject({ content: "42", done: true, model: "listed-1", finish_reason: "stop" });
    expect(step!.usage).toEqual({
      prompt_tokens: 100,
      completion_tokens: 10,
      cached_tokens: 20,
      cost_usd: 0.5,
      llm_call_count: 1,
    });
    expect(model.requests[0]!.system).toBe("be brief");
    expect(model.requests[0]!.messages[0]).toEqual({
      role: "user",
      content: [{ type: "text", text: "do it" }],
    });
    expect(model.requests[0]!.tools.map((t) => t.name)).toEqual(["echo"]);
  });

  it("runs tool calls in order, records them, and sends their results back", async () => {
    const model = new ListedModel([
      { text: "calling", calls: [call("echo", { a: 1 }, "1"), call("echo", { b: 2 }, "2")] },
      { text: "done" },
    ]);
    const trace = await runWith(model);
    const tools = toolSteps(trace.steps);
    expect(tools.map((t) => t.call?.id)).toEqual(["1", "2"]);
    expect(tools[0]!.result).toEqual({
      content: [{ type: "text", text: 'echo {"a":1}' }],
      isError: false,
      call_id: "1",
    });
    const second = model.requests[1]!.messages;
    expect(second.at(-1)).toMatchObject({
      role: "tool",
      results: [{ call: { id: "1" } }, { call: { id: "2" } }],
    });
    expect(trace.content).toBe("done");
  });

  it("answers malformed and unknown calls as tool errors without running them", async () => {
    let ran = 0;
    const counting: AgentTool = {
      ...echo,
      call: async () => {
        ran++;
        return textOutput("ran");
      },
    };
    const model = new ListedModel([
      { calls: [call("echo", '{"a": 1', "m"), call("nope", {}, "u")] },
      { text: "ok" },
    ]);
    const trace = await runWith(model, {}, [counting]);
    const [malformed, unknown] = toolSteps(trace.steps);
    expect(ran).toBe(0);
    expect(malformed!.result!.isError).toBe(true);
    expect(malformed!.result!.content[0]!.text).toBe(
      "the arguments for this 'echo' call arrived incomplete (cut off mid-generation or invalid JSON), so it was " +
        `not executed. Received: '{"a": 1'. Re-issue the call in full.`,
    );
    expect(unknown!.result!.content[0]!.text).toBe("unknown tool: 'nope'");
  });

  it("stops at max_steps with the last turn's text", async () => {
    const model = new ListedModel([{ text: "again", calls: [call("echo", {})] }]);
    const trace = await runWith(model, { maxSteps: 3 });
    expect(agentSteps(trace.steps)).toHaveLength(3);
    expect(trace.stop_reason).toBe("max_steps");
    expect(trace.content).toBe("again");
  });

  it("honours stop_on length and malformed_tool_call without dispatching", async () => {
    const cut = new ListedModel([
      { text: "cut", calls: [call("echo", {})], finishReason: "length", providerFinishReason: "max_tokens" },
    ]);
    const trace = await runWith(cut, { stopOn: ["length"] });
    expect(trace.stop_reason).toBe("length");
    expect(toolSteps(trace.steps)).toHaveLength(0);
    const bad = new ListedModel([{ calls: [call("echo", "{")] }]);
    expect((await runWith(bad, { stopOn: ["malformed_tool_call"] })).stop_reason).toBe("malformed_tool_call");
  });

  it("reports a final turn cut by length as stop reason length", async () => {
    const trace = await runWith(
      new ListedModel([{ text: "trunc", providerFinishReason: "max_tokens", finishReason: "length" }]),
    );
    expect(trace.stop_reason).toBe("length");
  });

  it("turns a throwing tool into a tool error and gives up after 3 infrastructure errors in a row", async () => {
    const broken: AgentTool = {
      ...echo,
      call: async () => {
        throw new Error("disk on fire");
      },
    };
    const trace1 = await runWith(new ListedModel([{ calls: [call("echo", {})] }, { text: "fine" }]), {}, [
      broken,
    ]);
    expect(toolSteps(trace1.steps)[0]!.result!.content[0]!.text).toBe("tool error: disk on fire");
    expect(trace1.status).toBe("completed");

    const down: AgentTool = {
      ...echo,
      call: async () => {
        throw new ToolInfrastructureError("connection lost");
      },
    };
    const trace2 = await runWith(
      new ListedModel([{ text: "try", calls: [call("echo", {})] }]),
      { maxSteps: 10 },
      [down],
    );
    expect(toolSteps(trace2.steps)).toHaveLength(3);
    expect(trace2.status).toBe("error");
    expect(trace2.steps.at(-1)).toMatchObject({
      source: "system",
      error: "SSH tool failure limit reached after 3 consecutive errors",
    });
    expect(trace2.content).toBe("try");
  });

  it("records a failing model call as a system error and keeps the last answer", async () => {
    const model = new ListedModel([
      { text: "first", calls: [call("echo", {})] },
      () => {
        throw new Error("429 rate limited (after 6 attempts)");
      },
    ] as never);
    const trace = await runWith(model);
    expect(trace.status).toBe("error");
    expect(trace.steps.at(-1)).toMatchObject({
      source: "system",
      error: "429 rate limited (after 6 attempts)",
    });
    expect(trace.content).toBe("first");
  });

  it("ends the rollout when its token or cost limit is reached", async () => {
    const model = new ListedModel([{ text: "more", calls: [call("echo", {})] }]);
    const byTokens = await runWith(model, { maxTotalTokens: 250 });
    expect(agentSteps(byTokens.steps)).toHaveLength(3);
    expect(byTokens.stop_reason).toBe("length");
    expect(byTokens.steps.at(-1)).toMatchObject({
      source: "system",
      error: "token limit reached: 330 tokens used of max_tokens 250",
    });
    const byCost = await runWith(new ListedModel([{ text: "more", calls: [call("echo", {})] }]), {
      maxCostUsd: 1,
    });
    expect(agentSteps(byCost.steps)).toHaveLength(2);
    expect(byCost.extra.limit).toBe("cost limit reached: $1.0000 spent of $1");
  });

  it("auto-responds CONTINUE to a turn that asks for permission, and stops when the classifier says STOP", async () => {
    const model = new ListedModel([{ text: "Shall I go ahead and fix it?" }, { text: "Fixed it." }]);
    const classifier = new ListedModel([{ text: "CONTINUE" }, { text: "STOP" }]);
    const trace = await runWith(model, { autoRespond: classifier });
    expect(trace.content).toBe("Fixed it.");
    expect(trace.stop_reason).toBe("done");
    expect(trace.steps.map((s) => s.source)).toEqual(["agent", "user", "agent"]);
    expect(model.requests[1]!.messages.at(-1)).toEqual({
      role: "user",
      content: [{ type: "text", text: "CONTINUE" }],
    });
    expect(classifier.requests[0]!.messages[0]).toMatchObject({
      content: [{ text: "Agent message: Shall I go ahead and fix it?\n\nWhat is the appropriate response?" }],
    });
    const failing = new ListedModel([
      () => {
        throw new Error("classifier down");
      },
    ] as never);
    const stopped = await runWith(new ListedModel([{ text: "Shall I?" }]), { autoRespond: failing });
    expect(stopped.steps.map((s) => s.source)).toEqual(["agent"]);
  });
});
