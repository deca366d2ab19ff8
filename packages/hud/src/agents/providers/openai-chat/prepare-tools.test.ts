import { describe, expect, it } from "vitest";
import type { ToolSpec } from "../../model/model-client.ts";
import { prepareTools } from "./prepare-tools.ts";

describe("prepareTools", () => {
  it("sends each spec as a function tool with a sanitized schema", () => {
    const bash: ToolSpec = {
      name: "bash",
      description: "Run a bash command in the workspace. `timeout` is in milliseconds.",
      parameters: {
        type: "object",
        properties: { command: { type: "string" }, timeout: { type: "number" } },
        required: ["command"],
        additionalProperties: false,
      },
    };
    expect(prepareTools([bash])).toEqual([
      {
        type: "function",
        function: {
          name: "bash",
          description: bash.description,
          parameters: {
            type: "object",
            properties: { command: { type: "string" }, timeout: { type: "number" } },
            required: ["command"],
          },
        },
      },
    ]);
  });

  it("names a tool without a description, and sends native tools as plain functions", () => {
    const [tool] = prepareTools([
      { name: "shell", native: "openai-shell", description: "", parameters: { type: "object" } },
    ]);
    expect(tool).toEqual({
      type: "function",
      function: { name: "shell", description: "Call shell", parameters: { type: "object", properties: {} } },
    });
  });

  it("sends no tools for no specs", () => {
    expect(prepareTools([])).toEqual([]);
  });
});
