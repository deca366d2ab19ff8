// The replay agent: re-issues a stored trace's tool calls, in order, against a fresh environment and submits the
// trace's answer — a check that an environment and its grader are deterministic. It records the first tool call
// whose result differs from the stored one in `trace.extra.replay` (and a system step), and keeps going so the
// environment ends in the state the original run left it in.
import type { Agent } from "../../eval/agent.ts";
import type { Run } from "../../eval/run.ts";
import type { ContentBlock, Step, ToolResult, ToolStep } from "../../eval/trace.ts";
import { HudError } from "../../protocol/errors.ts";
import type { ModelToolCall } from "../model/conversation.ts";
import { capabilityTools } from "../tools/capability-tools.ts";
import { dispatchToolCall } from "../tools/dispatch.ts";
import type { AgentTool } from "../tools/tool.ts";
import { WORKSPACE_TOOL_FLAVORS } from "../tools/workspace-tools.ts";

/** The parts of a stored trace a replay needs. */
export interface ReplaySource {
  trace_id: string;
  steps: readonly Step[];
  content?: string;
}

export interface ReplayDifference {
  /** The stored step's id. */
  step_id: number;
  tool: string;
  expected: string;
  actual: string;
}

export interface ReplayReport {
  source_trace_id: string;
  tool_calls: number;
  first_difference: ReplayDifference | null;
}

/** What a tool result says, for comparison: its error flag and its content. */
function resultText(result: ToolResult | undefined): string {
  if (!result) return "(no result)";
  const body = result.content
    .map((block: ContentBlock) => (block.type === "text" ? String(block.text ?? "") : `[${block.type}]`))
    .join("\n");
  return result.isError ? `[error] ${body}` : body;
}

/** Both texts cut to a window around where they first differ, so the difference shows. */
function around(expected: string, actual: string): { expected: string; actual: string } {
  let at = 0;
  while (at < expected.length && expected[at] === actual[at]) at++;
  const from = Math.max(0, at - 120);
  const cut = (text: string) =>
    `${from > 0 ? "…" : ""}${text.slice(from, from + 400)}${text.length > from + 400 ? "…" : ""}`;
  return { expected: cut(expected), actual: cut(actual) };
}

/** The first flavor of workspace tools that has every name the trace called. */
async function toolsFor(run: Run, names: ReadonlySet<string>): Promise<Map<string, AgentTool>> {
  for (const flavor of WORKSPACE_TOOL_FLAVORS) {
    const tools = new Map((await capabilityTools(run, flavor)).map((t) => [t.spec.name, t]));
    if ([...names].every((name) => tools.has(name))) return tools;
  }
  throw new HudError(
    `the environment offers no tools named ${[...names].map((n) => `'${n}'`).join(", ")} as the stored trace called them`,
  );
}

async function replayTrace(run: Run, source: ReplaySource): Promise<void> {
  const recorded = source.steps.filter(
    (s): s is ToolStep => s.source === "tool" && (s as ToolStep).call !== undefined,
  );
  const names = new Set(
    recorded.filter((s) => typeof s.call!.arguments !== "string").map((s) => s.call!.name),
  );
  const tools = await toolsFor(run, names);
  let first: ReplayDifference | null = null;
  for (const step of recorded) {
    const call = step.call!;
    const modelCall: ModelToolCall = { id: call.id, name: call.name, arguments: call.arguments ?? {} };
    const started = new Date().toISOString();
    const { output } = await dispatchToolCall(modelCall, tools, { signal: run.signal });
    const result: ToolResult = {
      content: output.content.map((p) =>
        p.type === "text"
          ? { type: "text", text: p.text }
          : { type: "image", data: p.data, mimeType: p.mediaType },
      ),
      isError: output.isError,
      call_id: call.id,
    };
    run.trace.record({ source: "tool", call, result, started_at: started });
    const expected = resultText(step.result);
    const actual = resultText(result);
    if (first === null && expected !== actual) {
      first = { step_id: step.step_id, tool: call.name, ...around(expected, actual) };
      run.trace.record({
        source: "system",
        error: `replay: the result of step ${step.step_id} (${call.name}) differs from the stored trace ${source.trace_id}`,
      });
    }
  }
  const report: ReplayReport = {
    source_trace_id: source.trace_id,
    tool_calls: recorded.length,
    first_difference: first,
  };
  run.trace.extra.replay = report;
  const content = source.content ?? "";
  run.trace.record({ source: "agent", content, done: true });
  run.trace.content = content;
}

/**
 * Replay `source` (one stored trace), or — given a function — the stored trace it returns for each run (a whole
 * job: one trace per task and repeat).
 */
export function replay(source: ReplaySource | ((run: Run) => ReplaySource | undefined)): Agent {
  return {
    config: {},
    async run(run: Run) {
      const found = typeof source === "function" ? source(run) : source;
      if (!found) throw new HudError(`no stored trace to replay for task '${run.slug}' repeat ${run.repeat}`);
      await replayTrace(run, found);
    },
  };
}
