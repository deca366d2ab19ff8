import { describe, expect, it } from "vitest";
import { sanitizeSchema } from "./sanitize-schema.ts";

describe("sanitizeSchema", () => {
  it("drops $schema, additionalProperties and other keywords from an MCP TypeScript server's schema", () => {
    // As zod-to-json-schema writes it for the MCP SDK's `server.tool(...)`.
    const schema = {
      type: "object",
      properties: {
        a: { type: "number", description: "First number", minimum: 0 },
        b: { type: "string", format: "email", pattern: "^.+@.+$", minLength: 3 },
      },
      required: ["a", "b"],
      additionalProperties: false,
      $schema: "http://json-schema.org/draft-07/schema#",
    };
    expect(sanitizeSchema(schema)).toEqual({
      type: "object",
      properties: { a: { type: "number", description: "First number", minimum: 0 }, b: { type: "string" } },
      required: ["a", "b"],
    });
  });

  it("inlines $defs, drops null branches and titles of a Python (pydantic) server's schema", () => {
    const schema = {
      properties: {
        query: { title: "Query", type: "string" },
        limit: { anyOf: [{ type: "integer" }, { type: "null" }], default: null, title: "Limit" },
        filters: { anyOf: [{ $ref: "#/$defs/Filters" }, { type: "null" }], default: null },
        sort: { $ref: "#/$defs/Sort", default: "asc" },
      },
      required: ["query"],
      title: "searchArguments",
      type: "object",
      $defs: {
        Filters: {
          properties: { tags: { items: { type: "string" }, title: "Tags", type: "array" } },
          required: ["tags"],
          title: "Filters",
          type: "object",
        },
        Sort: { enum: ["asc", "desc"], title: "Sort", type: "string" },
      },
    };
    expect(sanitizeSchema(schema)).toEqual({
      type: "object",
      properties: {
        query: { type: "string" },
        limit: { type: "integer", default: null },
        filters: {
          type: "object",
          properties: { tags: { type: "array", items: { type: "string" } } },
          required: ["tags"],
          default: null,
        },
        sort: { type: "string", enum: ["asc", "desc"], default: "asc" },
      },
      required: ["query"],
    });
  });

  it("cuts a recursive $ref to its bare type instead of expanding forever", () => {
    const schema = {
      type: "object",
      properties: { tree: { $ref: "#/definitions/Node" } },
      definitions: {
        Node: {
          type: "object",
          description: "A node",
          properties: {
            name: { type: "string" },
            children: { type: "array", items: { $ref: "#/definitions/Node" } },
          },
        },
      },
    };
    expect(sanitizeSchema(schema)).toEqual({
      type: "object",
      properties: {
        tree: {
          type: "object",
          description: "A node",
          properties: {
            name: { type: "string" },
            children: { type: "array", items: { type: "object", description: "A node" } },
          },
        },
      },
    });
  });

  it("keeps real alternatives as anyOf, and rewrites oneOf, const, type lists, allOf and prefixItems", () => {
    const schema = {
      type: "object",
      properties: {
        target: { oneOf: [{ type: "string" }, { type: "number" }], description: "id or index" },
        mode: { const: "fast" },
        note: { type: ["string", "null"] },
        both: {
          allOf: [
            { properties: { x: { type: "number" } }, required: ["x"] },
            { properties: { y: { type: "number" } } },
          ],
        },
        point: { type: "array", prefixItems: [{ type: "number" }, { type: "number" }] },
      },
    };
    expect(sanitizeSchema(schema).properties).toEqual({
      target: { description: "id or index", anyOf: [{ type: "string" }, { type: "number" }] },
      mode: { enum: ["fast"] },
      note: { type: "string" },
      both: { properties: { x: { type: "number" }, y: { type: "number" } }, required: ["x"] },
      point: { type: "array", items: { type: "number" } },
    });
  });

  it("keeps only required names that are properties", () => {
    const schema = {
      type: "object",
      properties: { a: { type: "string" } },
      required: ["a", "b", "constructor"],
    };
    expect(sanitizeSchema(schema)).toEqual({
      type: "object",
      properties: { a: { type: "string" } },
      required: ["a"],
    });
  });

  it("always roots the schema at an object with properties", () => {
    expect(sanitizeSchema({})).toEqual({ type: "object", properties: {} });
    expect(sanitizeSchema({ type: "object", $schema: "x" })).toEqual({ type: "object", properties: {} });
  });

  it("stops at a bounded depth on a pathologically deep schema", () => {
    let deep: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 100; i++) deep = { type: "object", properties: { next: deep } };
    let depth = 0;
    for (let at = sanitizeSchema(deep); at.properties; depth++) {
      at = (at.properties as Record<string, Record<string, unknown>>).next ?? {};
    }
    expect(depth).toBeLessThan(40);
  });
});
