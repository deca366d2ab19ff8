// prepareTools: specs become one functionDeclarations tool with the JSON Schema untouched.
import { describe, expect, it } from "vitest";
import { prepareTools } from "./prepare-tools.ts";

describe("prepareTools", () => {
  it("declares every spec as a function with parametersJsonSchema, ignoring native hints", () => {
    const shellSchema = {
      type: "object",
      properties: { command: { type: "string" }, directory: { type: "string" } },
      required: ["command"],
      additionalProperties: false,
    };
    const tools = prepareTools([
      {
        name: "run_shell_command",
        description: "Run a bash command in the workspace.",
        parameters: shellSchema,
      },
      {
        name: "bash",
        description: "Run a bash command.",
        parameters: { type: "object", properties: {} },
        native: "claude-bash",
      },
    ]);
    expect(tools).toEqual([
      {
        functionDeclarations: [
          {
            name: "run_shell_command",
            description: "Run a bash command in the workspace.",
            parametersJsonSchema: shellSchema,
          },
          {
            name: "bash",
            description: "Run a bash command.",
            parametersJsonSchema: { type: "object", properties: {} },
          },
        ],
      },
    ]);
  });

  it("sends no tools field at all when there are none", () => {
    expect(prepareTools([])).toBeUndefined();
  });
});
