// Tool specs as Gemini function declarations. Gemini has no built-in shell or editor, so a spec's `native`
// hint is ignored and every tool is a plain function whose JSON Schema goes in `parametersJsonSchema`
// (which, unlike `parameters`, takes standard JSON Schema rather than Gemini's OpenAPI subset).
import type { Tool } from "@google/genai";
import type { ToolSpec } from "../../model/model-client.ts";

/** One `functionDeclarations` tool holding every spec, or undefined when there are none (Gemini rejects an empty list). */
export function prepareTools(specs: readonly ToolSpec[]): Tool[] | undefined {
  if (specs.length === 0) return undefined;
  return [
    {
      functionDeclarations: specs.map((spec) => ({
        name: spec.name,
        description: spec.description,
        parametersJsonSchema: spec.parameters,
      })),
    },
  ];
}
