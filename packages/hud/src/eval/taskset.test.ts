// Taskset: slug-keyed rows, selection, and the .json/.jsonl file formats (read and written).
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Task, type TaskInit } from "../environment/task.ts";
import { HudError } from "../protocol/errors.ts";
import { Taskset } from "./taskset.ts";

function task(id: string, args: TaskInit["args"] = {}, extra: Partial<TaskInit> = {}): Task {
  return new Task({ env: "letters", id, args, ...extra });
}

const a = task("a");
const b = task("b", { n: 1 });
const c = task("c", {}, { env: "other", verifier: { env: "judge", id: "verify" } });

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(HudError.is(error)).toBe(true);
  return (error as Error).message;
}

describe("Taskset", () => {
  it("keeps rows in order, by slug", () => {
    const ts = new Taskset("letters", [a, b, c]);
    expect(ts.name).toBe("letters");
    expect(ts.length).toBe(3);
    expect([...ts]).toEqual([a, b, c]);
    expect(ts.get("b-bae34777")).toBe(b);
    expect(ts.get("nope")).toBeUndefined();
  });

  it("rejects duplicate slugs, listing each once", () => {
    expect(() => new Taskset("t", [a, b, task("a"), b, b])).toThrow("duplicate task slugs: a, b-bae34777");
  });

  it("accepts plain rows and validates them, naming the entry", () => {
    const ts = new Taskset("t", [{ env: "letters", id: "a" }, b]);
    expect(Task.is(ts.get("a"))).toBe(true);
    expect(() => new Taskset("t", [a, { env: "letters" } as TaskInit])).toThrow(/'tasks\[1\]'.*'id'/);
  });

  it("needs a name and an iterable of tasks", () => {
    expect(() => new Taskset("", [a])).toThrow(/'name'/);
    expect(() => new Taskset("t", a as never)).toThrow(/'tasks' must be an array or iterable/);
  });

  it("filter and exclude keep order and name, ignore unknown slugs", () => {
    const ts = new Taskset("letters", [a, b, c]);
    const kept = ts.filter(["c", "a", "unknown"]);
    expect([...kept]).toEqual([a, c]);
    expect(kept.name).toBe("letters");
    expect([...ts.exclude(["a", "unknown"])]).toEqual([b, c]);
    expect([...ts.filter("b-bae34777")]).toEqual([b]);
    expect([...ts.exclude((t) => t.env === "other")]).toEqual([a, b]);
    expect(ts.length).toBe(3);
  });

  it("lists environment names, verifiers' included", () => {
    expect(new Taskset("t", [c, b, a]).environmentNames()).toEqual(["judge", "letters", "other"]);
  });

  it("serializes as its rows", () => {
    expect(JSON.parse(JSON.stringify(new Taskset("t", [a, b])))).toEqual([a.toJSON(), b.toJSON()]);
  });

  it("keeps the live environment link of rows made by templates", () => {
    const link = { name: "letters" };
    const live = new Task({ env: "letters", id: "live" }, link);
    expect(new Taskset("t", [live, a]).filter(["live"]).get("live")?.environment).toBe(link);
  });

  it("is recognized by brand", () => {
    expect(Taskset.is(new Taskset("t", []))).toBe(true);
    expect(Taskset.is([a])).toBe(false);
  });
});

describe("Taskset files", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "hud-taskset-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function write(name: string, text: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  }

  it("writes .json as an indented array with a trailing newline", async () => {
    const path = join(dir, "out.json");
    await new Taskset("t", [a, c]).toFile(path);
    expect(await readFile(path, "utf8")).toBe(`${JSON.stringify([a.toJSON(), c.toJSON()], null, 2)}\n`);
  });

  it("writes .jsonl as one compact row per line, creating parent directories", async () => {
    const path = join(dir, "deep", "er", "out.jsonl");
    await new Taskset("t", [a, b]).toFile(path);
    expect(await readFile(path, "utf8")).toBe(
      `${JSON.stringify(a.toJSON())}\n${JSON.stringify(b.toJSON())}\n`,
    );
    expect(await readdir(join(dir, "deep", "er"))).toEqual(["out.jsonl"]);
  });

  it("replaces an existing file", async () => {
    const path = await write("out.jsonl", "old contents\n");
    await new Taskset("t", []).toFile(path);
    expect(await readFile(path, "utf8")).toBe("");
  });

  it("refuses other formats", async () => {
    const message = await failure(new Taskset("t", [a]).toFile(join(dir, "out.txt")));
    expect(message).toContain("unsupported taskset export format: .txt; use .json or .jsonl");
    expect(await readdir(dir)).toEqual([]);
  });

  it("reports a write failure as one line naming the file", async () => {
    await mkdir(join(dir, "taken.json"));
    const message = await failure(new Taskset("t", [a]).toFile(join(dir, "taken.json")));
    expect(message).toMatch(/^cannot write .*taken\.json: /);
    expect(await readdir(dir)).toEqual(["taken.json"]);
  });

  it.each(["rows.json", "rows.jsonl"])("round-trips through %s, named after the file", async (name) => {
    const path = join(dir, name);
    await new Taskset("t", [a, b, c]).toFile(path);
    const loaded = await Taskset.fromFile(path);
    expect(loaded.name).toBe("rows");
    expect(loaded.toJSON()).toEqual([a.toJSON(), b.toJSON(), c.toJSON()]);
    expect((await Taskset.fromFile(path, { name: "custom" })).name).toBe("custom");
  });

  it("reads a .json object as one row", async () => {
    const path = await write("one.json", JSON.stringify({ env: "letters", id: "a" }));
    expect((await Taskset.fromFile(path)).toJSON()).toEqual([a.toJSON()]);
  });

  it.each([
    ["not JSON", "{oops", /one\.json: invalid JSON: /],
    ["a number", "3", /one\.json: expected a task object or an array of task objects/],
    ["a non-object entry", '[{"env":"e","id":"a"}, 7]', /one\.json\[1\]: each task entry must be an object/],
    ["a bad row", '[{"env":"e","id":"a"}, {"env":"e"}]', /one\.json\[1\]: invalid task row: 'id'/],
    [
      "duplicate slugs",
      '[{"env":"e","id":"a"}, {"env":"f","id":"a"}]',
      /duplicate task slug 'a' \(.*one\.json\[0\] and .*one\.json\[1\]\)/,
    ],
  ])("rejects a .json file with %s, naming the file", async (_label, text, message) => {
    expect(await failure(Taskset.fromFile(await write("one.json", text)))).toMatch(message);
  });

  it("reads .jsonl skipping blank lines, with CRLF endings and a BOM", async () => {
    const text = `\uFEFF${JSON.stringify(a.toJSON())}\r\n\r\n   \n${JSON.stringify(b.toJSON())}`;
    expect((await Taskset.fromFile(await write("rows.jsonl", text))).toJSON()).toEqual([
      a.toJSON(),
      b.toJSON(),
    ]);
  });

  it.each([
    ["not JSON", '{"env":"e","id":"a"}\n\n{oops\n', /rows\.jsonl:3: invalid JSON: /],
    ["a non-object line", '{"env":"e","id":"a"}\n[1]\n', /rows\.jsonl:2: each task entry must be an object/],
    [
      "a bad row",
      '{"env":"e","id":"a"}\n{"env":"e","id":"b","slug":null}\n',
      /rows\.jsonl:2: invalid task row: 'slug'/,
    ],
    [
      "a bad runtime_config",
      '{"env":"e","id":"a","runtime_config":{"resources":{"cpu":-1}}}',
      /rows\.jsonl:1: .*runtime_config\.resources\.cpu/,
    ],
    [
      "duplicate slugs",
      '{"env":"e","id":"a"}\n{"env":"e","id":"a"}\n',
      /duplicate task slug 'a' \(.*rows\.jsonl:1 and .*rows\.jsonl:2\)/,
    ],
  ])("rejects a .jsonl file with %s, naming the line", async (_label, text, message) => {
    expect(await failure(Taskset.fromFile(await write("rows.jsonl", text)))).toMatch(message);
  });

  it("rejects unknown sources and missing paths", async () => {
    expect(await failure(Taskset.fromFile(await write("rows.txt", "")))).toMatch(
      /unsupported taskset source: .*rows\.txt/,
    );
    expect(await failure(Taskset.fromFile(join(dir, "missing.json")))).toMatch(
      /no such file or directory: .*missing\.json/,
    );
  });
});
