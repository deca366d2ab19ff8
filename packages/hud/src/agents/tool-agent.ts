// The tool loop every model agent runs: ask the model, run its tool calls one by one, record every turn and
// call, stop on done / max steps / limits — per the Python SDK's ToolAgent (python-sdk.md §4.2).
import type { Run } from "../eval/run.ts";
import { type ContentBlock, now, type StopReason, type ToolCall, type ToolResult } from "../eval/trace.ts";
import { errorMessage } from "../protocol/errors.ts";
import { shouldContinue } from "./auto-respond.ts";
import type { ContentPart, ConversationMessage, ModelToolCall, ToolOutput } from "./model/conversation.ts";
import type { ModelClient, ModelTurn } from "./model/model-client.ts";
import { capabilityTools } from "./tools/capability-tools.ts";
import { dispatchToolCall } from "./tools/dispatch.ts";
import type { AgentTool } from "./tools/tool.ts";
import { assertUniqueNames } from "./tools/tool-names.ts";
import type { WorkspaceToolFlavor } from "./tools/workspace-tools.ts";

export interface ToolAgentConfig {
  /** Model id, recorded on every agent step. */
  model: string;
  /** Model turns allowed (default 10). */
  maxSteps?: number;
  /** Bound on the whole loop, seconds (grading still runs). */
  timeoutSeconds?: number;
  /** Bound on each tool call, seconds. */
  toolTimeoutSeconds?: number;
  systemPrompt?: string;
  /** Stop (without running the calls) when a turn was cut by length, or carried unparseable arguments. */
  stopOn?: readonly ("length" | "malformed_tool_call")[];
  /** Output tokens per model call. */
  maxOutputTokens?: number;
  /** Per-rollout limits: total tokens (input + output) and dollars across all calls. */
  maxTotalTokens?: number;
  maxCostUsd?: number;
  /**
   * When a turn ends without tool calls, ask a classifier whether the model finished or stopped to ask for
   * permission; in the latter case answer "CONTINUE" as the user (it uses a turn). `true` uses the agent's own
   * model as the classifier.
   */
  autoRespond?: boolean | ModelClient;
}

/** Dollars of one call, or undefined when the model has no known price. */
export type Pricing = (model: string, turn: ModelTurn) => number | undefined;

const INFRA_ERROR_LIMIT = 3;
const TRUNCATING = new Set(["length", "max_output_tokens", "max_tokens", "MAX_TOKENS"]);

function toBlocks(parts: readonly ContentPart[]): ContentBlock[] {
  return parts.map((p) =>
    p.type === "text"
      ? { type: "text", text: p.text }
      : { type: "image", data: p.data, mimeType: p.mediaType },
  );
}

function traceCall(call: ModelToolCall): ToolCall {
  return { id: call.id, name: call.name, arguments: call.arguments };
}

/** The prompt as the first user message (text and images). */
function promptMessage(run: Run): ConversationMessage {
  const content: ContentPart[] = [];
  for (const message of run.promptMessages) {
    const block = message.content;
    if (block.type === "text") content.push({ type: "text", text: String(block.text ?? "") });
    else if (block.type === "image" && typeof block.data === "string") {
      content.push({ type: "image", mediaType: String(block.mimeType ?? "image/png"), data: block.data });
    }
  }
  if (content.length === 0) content.push({ type: "text", text: "" });
  return { role: "user", content };
}

export interface ToolAgentOptions {
  /** Which provider's workspace tools to offer. */
  flavor: WorkspaceToolFlavor;
  pricing: Pricing;
  /** Tools of your own, offered next to the capabilities' tools. */
  tools?: readonly AgentTool[];
}

export class ToolAgent {
  readonly config: ToolAgentConfig;
  private readonly client: ModelClient;
  private readonly flavor: WorkspaceToolFlavor;
  private readonly pricing: Pricing;
  private readonly extraTools: readonly AgentTool[];

  constructor(client: ModelClient, config: ToolAgentConfig, options: ToolAgentOptions) {
    this.client = client;
    this.config = config;
    this.flavor = options.flavor;
    this.pricing = options.pricing;
    this.extraTools = options.tools ?? [];
  }

  async run(run: Run): Promise<void> {
    // Capability clients opened through the run close with its connection.
    await this.loop(run, await this.openTools(run));
  }

  private async openTools(run: Run): Promise<Map<string, AgentTool>> {
    const tools = [...this.extraTools, ...(await capabilityTools(run, this.flavor))];
    assertUniqueNames(tools.map((t) => t.spec.name));
    return new Map(tools.map((t) => [t.spec.name, t]));
  }

  private async loop(run: Run, tools: Map<string, AgentTool>): Promise<void> {
    const { trace } = run;
    const maxSteps = this.config.maxSteps ?? 10;
    const specs = [...tools.values()].map((t) => t.spec);
    const messages: ConversationMessage[] = [promptMessage(run)];
    let stopReason: StopReason | undefined;
    let lastContent = "";
    let exhausted = true;
    let lastFinish: string | undefined;
    let tokens = 0;
    let cost = 0;
    let infraErrors = 0;
    for (let turns = 0; turns < maxSteps; turns++) {
      const startedAt = now();
      let turn: ModelTurn;
      try {
        turn = await this.client.complete({
          system: this.config.systemPrompt,
          messages,
          tools: specs,
          maxTokens: this.config.maxOutputTokens,
          headers: this.client.gateway && run.trace_id ? { "Trace-Id": run.trace_id } : undefined,
          signal: run.signal,
        });
      } catch (error) {
        if (run.signal.aborted) throw error;
        trace.record({ source: "system", error: errorMessage(error) });
        trace.status = "error";
        trace.content = lastContent;
        return;
      }
      const { message, usage } = turn;
      const costUsd = this.pricing(turn.model || this.config.model, turn);
      tokens += usage.inputTokens + usage.outputTokens;
      cost += costUsd ?? 0;
      const calls = message.toolCalls;
      trace.record({
        source: "agent",
        content: message.text,
        reasoning: message.reasoning,
        tool_calls: calls.map(traceCall),
        done: calls.length === 0,
        finish_reason: turn.providerFinishReason ?? turn.finishReason,
        model: turn.model || this.config.model,
        usage: {
          prompt_tokens: usage.inputTokens,
          completion_tokens: usage.outputTokens,
          cached_tokens: usage.cachedInputTokens,
          cost_usd: costUsd,
          llm_call_count: 1,
        },
        started_at: startedAt,
      });
      messages.push(message);
      lastContent = message.text;
      lastFinish = turn.providerFinishReason ?? turn.finishReason;
      if (calls.length === 0) {
        if (await this.continues(message.text, run.signal)) {
          messages.push({ role: "user", content: [{ type: "text", text: "CONTINUE" }] });
          trace.record({
            source: "user",
            messages: [{ role: "user", content: { type: "text", text: "CONTINUE" } }],
          });
          continue;
        }
        exhausted = false;
        break;
      }
      const stopOn = this.config.stopOn ?? [];
      if (stopOn.includes("length") && turn.finishReason === "length") stopReason = "length";
      else if (stopOn.includes("malformed_tool_call") && calls.some((c) => typeof c.arguments === "string")) {
        stopReason = "malformed_tool_call";
      }
      if (stopReason) break;
      const results: { call: ModelToolCall; output: ToolOutput }[] = [];
      for (const call of calls) {
        const started = now();
        const { output, infrastructure } = await dispatchToolCall(call, tools, {
          signal: run.signal,
          timeoutSeconds: this.config.toolTimeoutSeconds,
        });
        infraErrors = infrastructure ? infraErrors + 1 : 0;
        const result: ToolResult = {
          content: toBlocks(output.content),
          isError: output.isError,
          call_id: call.id,
        };
        if (output.structured) result.structuredContent = output.structured;
        trace.record({ source: "tool", call: traceCall(call), result, started_at: started });
        results.push({ call, output });
        if (infraErrors >= INFRA_ERROR_LIMIT) {
          trace.content = lastContent;
          trace.status = "error";
          trace.record({
            source: "system",
            error: `SSH tool failure limit reached after ${INFRA_ERROR_LIMIT} consecutive errors`,
          });
          return;
        }
      }
      messages.push({ role: "tool", results });
      const limit = this.overLimit(tokens, cost);
      if (limit) {
        trace.record({ source: "system", error: limit });
        trace.extra.limit = limit;
        stopReason = "length";
        break;
      }
    }
    trace.content = lastContent;
    trace.status ??= "completed";
    if (stopReason === undefined) {
      if (exhausted) stopReason = "max_steps";
      else if (lastFinish !== undefined && TRUNCATING.has(lastFinish)) stopReason = "length";
      else stopReason = "done";
    }
    trace.stop_reason = stopReason;
  }

  private async continues(content: string, signal: AbortSignal): Promise<boolean> {
    const { autoRespond } = this.config;
    if (!autoRespond || content.trim() === "") return false;
    return shouldContinue(autoRespond === true ? this.client : autoRespond, content, signal);
  }

  /** A rollout limit this usage went over, as one line, or undefined. */
  private overLimit(tokens: number, cost: number): string | undefined {
    const { maxTotalTokens, maxCostUsd } = this.config;
    if (maxTotalTokens !== undefined && tokens >= maxTotalTokens) {
      return `token limit reached: ${tokens} tokens used of max_tokens ${maxTotalTokens}`;
    }
    if (maxCostUsd !== undefined && cost >= maxCostUsd) {
      return `cost limit reached: $${cost.toFixed(4)} spent of $${maxCostUsd}`;
    }
    return undefined;
  }
}
