// Schemas: Standard Schema and JSON Schema inputs validate alike and describe issues in one line.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { describeIssues, toSchema } from "./schema.ts";

const jsonSchema = {
  type: "object",
  properties: {
    opts: {
      type: "object",
      properties: { text: { type: "string" } },
      required: ["text"],
      additionalProperties: false,
    },
  },
};

describe("toSchema", () => {
  it("names a missing or unknown nested key at the object that holds it", async () => {
    const outcome = await toSchema(jsonSchema).validate({ opts: { txt: "hi" } });
    expect(outcome.ok).toBe(false);
    expect(outcome.ok ? "" : describeIssues(outcome.issues)).toBe(
      "'opts': missing required key 'text'; 'opts': unknown key 'txt'",
    );
  });

  it("reports paths from a Standard Schema", async () => {
    const outcome = await toSchema(z.object({ opts: z.object({ n: z.number() }) })).validate({
      opts: { n: "x" },
    });
    expect(outcome.ok ? [] : outcome.issues.map((i) => i.path)).toEqual([["opts", "n"]]);
  });

  it("returns the Standard Schema's output value (defaults applied)", async () => {
    await expect(toSchema(z.object({ n: z.number().default(2) })).validate({})).resolves.toEqual({
      ok: true,
      value: { n: 2 },
    });
  });

  it("publishes zod as JSON Schema without $schema, and JSON Schema as given", () => {
    expect(toSchema(z.object({ n: z.number() })).jsonSchema).toEqual({
      type: "object",
      properties: { n: { type: "number" } },
      required: ["n"],
    });
    expect(toSchema(jsonSchema).jsonSchema).toBe(jsonSchema);
  });

  it("honours a draft-07 JSON Schema", async () => {
    const draft7 = {
      $schema: "http://json-schema.org/draft-07/schema#",
      type: "array",
      items: [{ type: "string" }],
    };
    await expect(toSchema(draft7).validate(["a", 1])).resolves.toMatchObject({ ok: true });
  });

  it.each([null, "string", 3, []])("rejects %j", (input) => {
    expect(() => toSchema(input as never)).toThrow(/Standard Schema .* or a JSON Schema object/);
  });
});
