// Strict-mode schemas: what gets closed and made nullable, what is refused, and the nulls taken back out.
import { describe, expect, it } from "vitest";
import { dropAddedNulls, strictSchema } from "./strict-schema.ts";

/** The workspace `edit_file` schema as tools/workspace-tools.ts declares it. */
const EDIT_FILE = {
  type: "object",
  properties: {
    path: { type: "string" },
    old_string: { type: "string" },
    new_string: { type: "string" },
    replace_all: { type: "boolean" },
  },
  required: ["path", "old_string", "new_string"],
  additionalProperties: false,
};

describe("strictSchema", () => {
  it("requires every property and makes the optional ones nullable", () => {
    expect(strictSchema(EDIT_FILE)).toEqual({
      type: "object",
      properties: {
        path: { type: "string" },
        old_string: { type: "string" },
        new_string: { type: "string" },
        replace_all: { type: ["boolean", "null"] },
      },
      required: ["path", "old_string", "new_string", "replace_all"],
      additionalProperties: false,
    });
  });

  it("closes nested objects and array items, and keeps enums consistent with null", () => {
    // A zod-to-json-schema style MCP tool schema.
    const schema = {
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "object",
      properties: {
        query: { type: "string", description: "what to look for" },
        mode: { type: "string", enum: ["fast", "thorough"], default: "fast" },
        filters: {
          type: "array",
          items: { type: "object", properties: { field: { type: "string" }, value: { type: "number" } } },
        },
        exact: { const: true },
      },
      required: ["query"],
    };
    expect(strictSchema(schema)).toEqual({
      type: "object",
      properties: {
        query: { type: "string", description: "what to look for" },
        mode: { type: ["string", "null"], enum: ["fast", "thorough", null] },
        filters: {
          type: ["array", "null"],
          items: {
            type: "object",
            properties: { field: { type: ["string", "null"] }, value: { type: ["number", "null"] } },
            required: ["field", "value"],
            additionalProperties: false,
          },
        },
        exact: { anyOf: [{ const: true }, { type: "null" }] },
      },
      required: ["query", "mode", "filters", "exact"],
      additionalProperties: false,
    });
  });

  it("adds a null branch to an optional anyOf and leaves an already-nullable property alone", () => {
    const schema = {
      type: "object",
      properties: {
        id: { anyOf: [{ type: "string" }, { type: "integer" }] },
        note: { type: ["string", "null"] },
      },
    };
    expect(strictSchema(schema)?.properties).toEqual({
      id: { anyOf: [{ type: "string" }, { type: "integer" }, { type: "null" }] },
      note: { type: ["string", "null"] },
    });
  });

  it.each([
    ["no properties", { type: "object" }],
    ["empty properties", { type: "object", properties: {} }],
    ["a non-object root", { type: "string" }],
    [
      "open extra keys",
      { type: "object", properties: { a: { type: "string" } }, additionalProperties: true },
    ],
    ["a free-form nested object", { type: "object", properties: { meta: { type: "object" } } }],
    ["an array without items", { type: "object", properties: { list: { type: "array" } } }],
    ["oneOf", { type: "object", properties: { a: { oneOf: [{ type: "string" }, { type: "number" }] } } }],
    ["minLength", { type: "object", properties: { a: { type: "string", minLength: 1 } } }],
    ["allOf", { type: "object", properties: { a: { type: "string" } }, allOf: [] }],
  ])("refuses %s", (_name, schema) => {
    expect(strictSchema(schema)).toBeUndefined();
  });

  it("refuses nesting deeper than strict mode allows", () => {
    let schema: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 11; i++)
      schema = { type: "object", properties: { next: schema }, required: ["next"] };
    expect(strictSchema(schema)).toBeUndefined();
  });

  it("does not change the schema it was given", () => {
    const copy = structuredClone(EDIT_FILE);
    strictSchema(EDIT_FILE);
    expect(EDIT_FILE).toEqual(copy);
  });
});

describe("dropAddedNulls", () => {
  it("removes the nulls standing for optional properties left out, at any depth", () => {
    const schema = {
      type: "object",
      properties: {
        path: { type: "string" },
        replace_all: { type: "boolean" },
        items: { type: "array", items: { type: "object", properties: { tag: { type: "string" } } } },
      },
      required: ["path"],
    };
    const args = { path: "a.js", replace_all: null, items: [{ tag: null }, { tag: "x" }] };
    expect(dropAddedNulls(args, schema)).toEqual({ path: "a.js", items: [{}, { tag: "x" }] });
  });

  it("keeps a null the tool's own schema accepts, or one sent for a required property", () => {
    const schema = {
      type: "object",
      properties: { note: { type: ["string", "null"] }, path: { type: "string" }, extra: { type: "string" } },
      required: ["path"],
    };
    expect(dropAddedNulls({ note: null, path: null, other: null }, schema)).toEqual({
      note: null,
      path: null,
      other: null,
    });
  });
});
