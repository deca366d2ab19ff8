// The agent's tools as Responses API tool declarations: the built-in shell where a tool stands for it, strict
// function tools where the schema allows, plain ones where it does not.
import type { Tool } from "openai/resources/responses/responses";
import type { ToolSpec } from "../../model/model-client.ts";
import { strictSchema } from "./strict-schema.ts";

/**
 * The model runs the built-in shell tool's commands through us (`environment: local`): it answers with
 * `shell_call` items that the adapter maps back to the tool standing for it, whatever its name.
 */
const LOCAL_SHELL: Tool = { type: "shell", environment: { type: "local" } };

export function prepareTools(tools: readonly ToolSpec[]): Tool[] {
  let shellOffered = false;
  return tools.flatMap((tool): Tool[] => {
    if (tool.native === "openai-shell") {
      // The API takes one shell tool; a second would be ambiguous when its calls come back.
      if (shellOffered)
        throw new Error(`only one tool can stand for OpenAI's shell (got a second: '${tool.name}')`);
      shellOffered = true;
      return [LOCAL_SHELL];
    }
    const strict = strictSchema(tool.parameters);
    return [
      {
        type: "function",
        name: tool.name,
        description: tool.description,
        parameters: strict ?? tool.parameters,
        strict: strict !== undefined,
      },
    ];
  });
}

/** The tool whose calls arrive as `shell_call` items, if one was offered. */
export function shellToolName(tools: readonly ToolSpec[]): string | undefined {
  return tools.find((tool) => tool.native === "openai-shell")?.name;
}
