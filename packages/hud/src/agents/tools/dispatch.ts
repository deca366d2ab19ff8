// Performing one tool call the way the Python SDK's loop does: unparsed arguments and unknown names are answered
// with errors (never executed), a throwing tool becomes a `tool error:` result.
import { errorMessage } from "../../protocol/errors.ts";
import type { ModelToolCall, ToolOutput } from "../model/conversation.ts";
import { type AgentTool, type ToolContext, ToolInfrastructureError, textOutput } from "./tool.ts";

export function malformedCallText(name: string, raw: string): string {
  return (
    `the arguments for this '${name}' call arrived incomplete (cut off mid-generation or invalid JSON), ` +
    `so it was not executed. Received: '${raw.slice(0, 200)}'. Re-issue the call in full.`
  );
}

/** The call's output, and whether it failed for infrastructure reasons (counted by the loop). */
export async function dispatchToolCall(
  call: ModelToolCall,
  tools: ReadonlyMap<string, AgentTool>,
  ctx: ToolContext,
): Promise<{ output: ToolOutput; infrastructure: boolean }> {
  if (typeof call.arguments === "string") {
    return { output: textOutput(malformedCallText(call.name, call.arguments), true), infrastructure: false };
  }
  const tool = tools.get(call.name);
  if (!tool) return { output: textOutput(`unknown tool: '${call.name}'`, true), infrastructure: false };
  try {
    return { output: await tool.call(call.arguments, ctx), infrastructure: false };
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    return {
      output: textOutput(`tool error: ${errorMessage(error)}`, true),
      infrastructure: error instanceof ToolInfrastructureError,
    };
  }
}
