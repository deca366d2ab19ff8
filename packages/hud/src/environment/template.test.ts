// Templates: the three declaration forms, manifest entries, and args validation/coercion as tasks.start sees it.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ErrorCode, RpcError } from "../protocol/errors.ts";
import type { JsonObject } from "../protocol/jsonrpc.ts";
import { Environment } from "./environment.ts";
import { Task } from "./task.ts";

async function* body(): AsyncGenerator<unknown, void, unknown> {
  yield "prompt";
  yield 1;
}

const countArgs = z.object({ word: z.string(), letter: z.string().length(1) });

/** The same shape as a plain JSON Schema object. */
const countJsonSchema = {
  type: "object",
  properties: { word: { type: "string" }, letter: { type: "string", minLength: 1, maxLength: 1 } },
  required: ["word", "letter"],
};

async function argsError(promise: Promise<unknown>): Promise<RpcError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!RpcError.is(error)) throw new Error(`expected an RpcError, got ${String(error)}`);
  return error;
}

describe("declaring templates", () => {
  it("long form: id, description, schemas, solution", () => {
    const env = new Environment({ name: "letters" });
    const solution = () => "3";
    const count = env.template(
      { id: "count", description: "Count a letter", args: countArgs, solution },
      body,
    );
    expect(count.id).toBe("count");
    expect(env.templates.get("count")).toBe(count.template);
    expect(count.template.description).toBe("Count a letter");
    expect(count.template.solution).toBe(solution);
  });

  it("short form: env.template(id, fn)", () => {
    const env = new Environment({ name: "letters" });
    expect(env.template("short", body).id).toBe("short");
    expect([...env.templates.keys()]).toEqual(["short"]);
  });

  it("env.template(fn) is named after the function", () => {
    const env = new Environment({ name: "letters" });
    expect(env.template(async function* reverse() {}).id).toBe("reverse");
  });

  it("an anonymous function needs an id", () => {
    const env = new Environment({ name: "letters" });
    const anonymous = [async function* () {}][0]!;
    expect(() => env.template(anonymous)).toThrow(/needs an id/);
  });

  it("env.scenario is the same thing", () => {
    const env = new Environment({ name: "letters" });
    const handle = env.scenario("legacy", body);
    expect(env.templates.get("legacy")).toBe(handle.template);
  });

  it("rejects a duplicate id, naming it and the environment", () => {
    const env = new Environment({ name: "letters" });
    env.template("count", body);
    expect(() => env.template({ id: "count" }, body)).toThrow(
      /environment 'letters' already has a template 'count'/,
    );
  });

  it("rejects a body that is not a function and a schema that is not one", () => {
    const env = new Environment({ name: "letters" });
    expect(() => env.template("x", undefined as never)).toThrow(/body must be a generator function/);
    expect(() => env.template({ id: "y", args: "word" as never }, body)).toThrow(
      /Standard Schema .* or a JSON Schema/,
    );
    expect(() => env.template({ id: "z", args: { type: "objekt" } }, body)).toThrow(/invalid JSON Schema/);
  });

  it("two templates may share a JSON Schema that has an $id", () => {
    const env = new Environment({ name: "letters" });
    const schema = { $id: "https://example.com/count-args", ...countJsonSchema };
    env.template({ id: "a", args: schema }, body);
    expect(() => env.template({ id: "b", args: schema }, body)).not.toThrow();
  });
});

describe("calling a template handle", () => {
  it("makes a Task row linked to the live environment; nothing runs", () => {
    const env = new Environment({ name: "letters" });
    let ran = false;
    const count = env.template("count", async function* () {
      ran = true;
      yield "x";
    });
    const task = count({ word: "kiwi", letter: "i" }, { columns: { level: 1 } });
    expect(Task.is(task)).toBe(true);
    expect(task.toJSON()).toMatchObject({ env: "letters", id: "count", args: { word: "kiwi", letter: "i" } });
    expect(task.columns).toEqual({ level: 1 });
    expect(task.environment).toBe(env);
    expect(count().slug).toBe("count");
    expect(ran).toBe(false);
  });
});

describe("manifest entries", () => {
  it("a zod object publishes a closed object schema", () => {
    const env = new Environment({ name: "letters" });
    const entry = env.template({ id: "count", description: "d", args: countArgs }, body).template.manifest();
    expect(entry).toEqual({
      id: "count",
      description: "d",
      args: {
        type: "object",
        properties: { word: { type: "string" }, letter: { type: "string", minLength: 1, maxLength: 1 } },
        required: ["word", "letter"],
        additionalProperties: false,
      },
    });
  });

  it("a plain JSON Schema is published with properties, required and additionalProperties", () => {
    const env = new Environment({ name: "letters" });
    const entry = env
      .template({ id: "count", args: { properties: { n: { type: "number" } } } }, body)
      .template.manifest();
    expect(entry.args).toEqual({
      type: "object",
      properties: { n: { type: "number" } },
      required: [],
      additionalProperties: false,
    });
  });

  it("no args schema publishes an open object schema", () => {
    const env = new Environment({ name: "letters" });
    const entry = env.template("free", body).template.manifest();
    expect(entry).toEqual({
      id: "free",
      description: "",
      args: { type: "object", properties: {}, additionalProperties: true },
    });
    expect(entry).not.toHaveProperty("returns");
  });

  it("publishes returns and input when given", () => {
    const env = new Environment({ name: "letters" });
    const input = { type: "object", properties: { file: { type: "string" } } };
    const entry = env
      .template({ id: "t", returns: z.object({ n: z.number() }), input }, body)
      .template.manifest();
    expect(entry.returns).toEqual({ type: "object", properties: { n: { type: "number" } }, required: ["n"] });
    expect(entry.input).toEqual(input);
  });

  it("a field with a default is not required", () => {
    const env = new Environment({ name: "letters" });
    const args = z.object({ word: z.string(), times: z.number().default(1) });
    expect(env.template({ id: "t", args }, body).template.manifest().args.required).toEqual(["word"]);
  });

  it("returns a copy: editing it does not change what is served", () => {
    const env = new Environment({ name: "letters" });
    const template = env.template({ id: "t", args: countArgs }, body).template;
    (template.manifest().args as JsonObject).required = [];
    expect(template.manifest().args.required).toEqual(["word", "letter"]);
  });
});

describe.each([
  ["zod", countArgs],
  ["JSON Schema", countJsonSchema],
])("args validation with %s", (_label, args) => {
  const env = new Environment({ name: "letters" });
  const template = env.template({ id: "count", args }, body).template;

  it("accepts valid args", async () => {
    await expect(template.parseArgs({ word: "kiwi", letter: "i" })).resolves.toEqual({
      word: "kiwi",
      letter: "i",
    });
  });

  it.each([
    ["a missing required key", { word: "kiwi" }, /missing required key 'letter'/],
    ["an unknown key", { word: "kiwi", letter: "i", colour: "red" }, /unknown key 'colour'/],
    ["a wrong type", { word: 7, letter: "i" }, /'word'/],
    ["a schema violation", { word: "kiwi", letter: "ii" }, /'letter'/],
  ])("rejects %s with -32602 naming the task and the key", async (_case, raw, key) => {
    const error = await argsError(template.parseArgs(raw));
    expect(error.code).toBe(ErrorCode.InvalidParams);
    expect(error.message).toMatch(/^invalid args for task 'count': /);
    expect(error.message).toMatch(key);
  });

  it("reports every problem at once, each once", async () => {
    const { message } = await argsError(template.parseArgs({ word: 7, colour: "red" }));
    expect(message).toMatch(/'word'/);
    expect(message).toMatch(/unknown key 'colour'/);
    expect(message.split("missing required key 'letter'")).toHaveLength(2);
    expect(message).not.toMatch(/undefined/);
  });
});

describe("JSON-text args (as the Python SDK's clients send them)", () => {
  const env = new Environment({ name: "shout" });
  const args = z.object({
    text: z.object({ text: z.string() }),
    style: z.enum(["upper", "lower"]),
    times: z.number(),
  });
  const template = env.template({ id: "shout", args }, body).template;

  it("decodes a number, an object and an enum string sent as JSON text", async () => {
    await expect(
      template.parseArgs({ text: '{"text":"hello"}', style: '"upper"', times: "3" }),
    ).resolves.toEqual({
      text: { text: "hello" },
      style: "upper",
      times: 3,
    });
  });

  it("leaves a string field alone even when it looks like JSON", async () => {
    const plain = env.template({ id: "echo", args: z.object({ word: z.string() }) }, body).template;
    await expect(plain.parseArgs({ word: "3" })).resolves.toEqual({ word: "3" });
  });

  it("still rejects text that does not decode to a valid value", async () => {
    const error = await argsError(
      template.parseArgs({ text: '{"text":"hi"}', style: '"upper"', times: "three" }),
    );
    expect(error.message).toMatch(/'times'/);
  });

  it("works with a plain JSON Schema too", async () => {
    const schema = { type: "object", properties: { n: { type: "integer" } }, required: ["n"] };
    const plain = env.template({ id: "n", args: schema }, body).template;
    await expect(plain.parseArgs({ n: "42" })).resolves.toEqual({ n: 42 });
  });
});
