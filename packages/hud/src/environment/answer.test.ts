// Answer.parse: what a template with a `returns` schema receives at grading.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { Answer } from "./answer.ts";
import { toSchema } from "./schema.ts";

const result = toSchema(z.object({ count: z.number().int(), word: z.string() }));

describe("Answer.parse", () => {
  it("parses a JSON answer and validates it", async () => {
    const answer = await Answer.parse('{"count": 3, "word": "strawberry"}', result);
    expect(answer).toMatchObject({ content: { count: 3, word: "strawberry" }, valid: true });
    expect(answer.raw).toBe('{"count": 3, "word": "strawberry"}');
  });

  it.each([
    ["text that is not JSON", "three"],
    ["JSON that misses a field", '{"count": 3}'],
    ["JSON of the wrong type", '{"count": 2.5, "word": "x"}'],
    ["an empty answer", ""],
  ])("keeps the raw string as content for %s", async (_label, text) => {
    const answer = await Answer.parse(text, result);
    expect(answer).toMatchObject({ content: text, raw: text, valid: false });
  });

  it("accepts an answer sent as a JSON value rather than text", async () => {
    const answer = await Answer.parse({ count: 1, word: "kiwi" }, result);
    expect(answer).toMatchObject({
      content: { count: 1, word: "kiwi" },
      raw: '{"count":1,"word":"kiwi"}',
      valid: true,
    });
  });

  it("a string schema gets the text itself, even when it looks like JSON", async () => {
    const text = toSchema(z.string());
    await expect(Answer.parse("3", text)).resolves.toMatchObject({ content: "3", valid: true });
    await expect(Answer.parse('"quoted"', text)).resolves.toMatchObject({ content: "quoted", valid: true });
  });

  it("works with a plain JSON Schema", async () => {
    const schema = toSchema({ type: "array", items: { type: "integer" } });
    await expect(Answer.parse("[1, 2]", schema)).resolves.toMatchObject({ content: [1, 2], valid: true });
    await expect(Answer.parse("[1, 'x']", schema)).resolves.toMatchObject({
      content: "[1, 'x']",
      valid: false,
    });
  });

  it("serializes as {content, raw}", async () => {
    const answer = await Answer.parse('{"count": 3, "word": "x"}', result);
    expect(JSON.parse(JSON.stringify(answer))).toEqual({
      content: { count: 3, word: "x" },
      raw: '{"count": 3, "word": "x"}',
    });
  });
});
