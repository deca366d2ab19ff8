import { describe, expect, it } from "vitest";
import type { ToolSpec } from "../../model/model-client.ts";
import { prepareTools } from "./prepare-tools.ts";

const OBJECT = { type: "object", properties: { command: { type: "string" } }, required: ["command"] };

const bash: ToolSpec = {
  name: "bash",
  native: "claude-bash",
  description: "Run a command.",
  parameters: OBJECT,
};
const editor: ToolSpec = {
  name: "str_replace_based_edit_tool",
  native: "claude-text-editor",
  description: "Edit files.",
  parameters: OBJECT,
};
const lookup: ToolSpec = {
  name: "lookup",
  description: "Look a word up.",
  parameters: { properties: { word: { type: "string" } }, required: ["word"] },
};

describe("prepareTools", () => {
  it("sends Claude's own bash and text editor, functions for the rest, one call at a time", () => {
    expect(prepareTools([bash, editor, lookup])).toEqual({
      tools: [
        { type: "bash_20250124", name: "bash" },
        { type: "text_editor_20250728", name: "str_replace_based_edit_tool" },
        {
          name: "lookup",
          description: "Look a word up.",
          input_schema: { type: "object", properties: { word: { type: "string" } }, required: ["word"] },
          eager_input_streaming: true,
        },
      ],
      tool_choice: { type: "auto", disable_parallel_tool_use: true },
    });
  });

  it("sends a renamed built-in or another provider's built-in as a plain function", () => {
    const { tools } = prepareTools([
      { ...bash, name: "ws__bash" },
      { name: "shell", native: "openai-shell", description: "Shell.", parameters: OBJECT },
    ]);
    expect(tools).toEqual([
      { name: "ws__bash", description: "Run a command.", input_schema: OBJECT, eager_input_streaming: true },
      { name: "shell", description: "Shell.", input_schema: OBJECT, eager_input_streaming: true },
    ]);
  });

  it("sends no tool fields without tools (tool_choice alone is rejected)", () => {
    expect(prepareTools([])).toEqual({});
  });
});
