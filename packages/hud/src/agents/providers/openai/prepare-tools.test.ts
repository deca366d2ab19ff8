// Tool declarations: the workspace's shell as the built-in shell tool, functions strict when their schema allows.
import { describe, expect, it } from "vitest";
import type { ToolSpec } from "../../model/model-client.ts";
import { prepareTools, shellToolName } from "./prepare-tools.ts";

const SHELL: ToolSpec = {
  name: "shell",
  native: "openai-shell",
  description: "Run shell commands in the workspace, one after another.",
  parameters: {
    type: "object",
    properties: { commands: { type: "array", items: { type: "string" } }, timeout_ms: { type: "number" } },
    required: ["commands"],
    additionalProperties: false,
  },
};

const READ_FILE: ToolSpec = {
  name: "read_file",
  description: "Read a file of the workspace; lines are numbered. `offset` is 1-based.",
  parameters: {
    type: "object",
    properties: { path: { type: "string" }, offset: { type: "number" }, limit: { type: "number" } },
    required: ["path"],
    additionalProperties: false,
  },
};

/** An MCP tool taking any object (the everything server's style of free-form input). */
const FREE_FORM: ToolSpec = {
  name: "notes__save",
  description: "Save a note",
  parameters: { type: "object" },
};

describe("prepareTools", () => {
  it("declares the shell as the built-in local shell, and functions strict with nullable optionals", () => {
    expect(prepareTools([SHELL, READ_FILE])).toEqual([
      { type: "shell", environment: { type: "local" } },
      {
        type: "function",
        name: "read_file",
        description: READ_FILE.description,
        parameters: {
          type: "object",
          properties: {
            path: { type: "string" },
            offset: { type: ["number", "null"] },
            limit: { type: ["number", "null"] },
          },
          required: ["path", "offset", "limit"],
          additionalProperties: false,
        },
        strict: true,
      },
    ]);
  });

  it("sends a schema that cannot be strict as given, with strict off", () => {
    expect(prepareTools([FREE_FORM])).toEqual([
      {
        type: "function",
        name: "notes__save",
        description: "Save a note",
        parameters: { type: "object" },
        strict: false,
      },
    ]);
  });

  it("refuses two tools standing for the one shell", () => {
    expect(() => prepareTools([SHELL, { ...SHELL, name: "shell2" }])).toThrow(/only one tool .*'shell2'/);
  });

  it("names the tool the shell's calls map back to", () => {
    expect(shellToolName([READ_FILE, { ...SHELL, name: "sh" }])).toBe("sh");
    expect(shellToolName([READ_FILE])).toBeUndefined();
  });
});
