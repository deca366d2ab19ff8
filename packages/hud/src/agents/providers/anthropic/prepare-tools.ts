// Tool specs as Anthropic `tools` and `tool_choice`: Claude's own bash and text editor, functions for the rest.
import type { Tool, ToolChoice, ToolUnion } from "@anthropic-ai/sdk/resources/messages";
import type { ToolSpec } from "../../model/model-client.ts";

export interface AnthropicTools {
  tools?: ToolUnion[];
  tool_choice?: ToolChoice;
}

/**
 * The built-in tool a spec stands for. Built-ins have fixed names, so a spec renamed away from that name (to
 * avoid a collision) is sent as a plain function instead.
 */
function builtin(spec: ToolSpec): ToolUnion | undefined {
  if (spec.native === "claude-bash" && spec.name === "bash") return { type: "bash_20250124", name: "bash" };
  if (spec.native === "claude-text-editor" && spec.name === "str_replace_based_edit_tool") {
    return { type: "text_editor_20250728", name: "str_replace_based_edit_tool" };
  }
  return undefined;
}

function functionTool(spec: ToolSpec): Tool {
  return {
    name: spec.name,
    description: spec.description,
    input_schema: { ...spec.parameters, type: "object" },
    // As the reference SDK sends MCP tools: arguments stream without server-side buffering. They may then
    // arrive as invalid JSON, which the adapter keeps as a string and the loop answers with an error.
    eager_input_streaming: true,
  };
}

/** One call at a time (the loop runs calls sequentially), and no tool fields at all when there are no tools. */
export function prepareTools(specs: readonly ToolSpec[]): AnthropicTools {
  if (specs.length === 0) return {};
  return {
    tools: specs.map((spec) => builtin(spec) ?? functionTool(spec)),
    tool_choice: { type: "auto", disable_parallel_tool_use: true },
  };
}
