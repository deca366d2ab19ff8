// Tool specs as Chat Completions function tools, in the Python SDK's shape (python-sdk.md §4.4).
import type { ChatCompletionFunctionTool } from "openai/resources/chat/completions";
import type { ToolSpec } from "../../model/model-client.ts";
import { sanitizeSchema } from "./sanitize-schema.ts";

/**
 * One function tool per spec. Chat Completions has no built-in tools, so a spec's `native` hint is ignored
 * and its plain function form is sent; an empty description becomes "Call <name>" since some servers require one.
 */
export function prepareTools(specs: readonly ToolSpec[]): ChatCompletionFunctionTool[] {
  return specs.map((spec) => ({
    type: "function",
    function: {
      name: spec.name,
      description: spec.description === "" ? `Call ${spec.name}` : spec.description,
      parameters: sanitizeSchema(spec.parameters),
    },
  }));
}
