// Loading tasks from modules and directories: what counts as a task export, which files a directory scan
// imports, and how rows seen twice are handled.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Environment } from "../environment/environment.ts";
import { Task } from "../environment/task.ts";
import { HudError } from "../protocol/errors.ts";
import { isTaskModule, tasksInModule } from "./task-source.ts";
import { Taskset } from "./taskset.ts";

// Fixtures live inside the package so that their `import ... from "hud"` resolves.
const TMP = resolve(import.meta.dirname, "../../.hud-tmp");
/** Imported by path: the entry point does not export Taskset yet. */
const TASKSET_MODULE = resolve(import.meta.dirname, "taskset.ts");

const ENV_TS = `import { Environment } from "hud";
export const env = new Environment({ name: "letters" });
export const count = env.template("count", async function* () { yield "how many?"; yield 1; });
`;

const TASKS_TS = `import { count } from "./env.ts";
export const tasks = [count({ word: "kiwi" }), count({ word: "fig" })];
`;

/** A module that must never be imported by a directory scan. */
const POISON = `throw new Error("this file must not be imported");\n`;

let dir: string;
beforeEach(async () => {
  await mkdir(TMP, { recursive: true });
  dir = await mkdtemp(join(TMP, "task-source-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function files(entries: Record<string, string>): Promise<void> {
  for (const [name, text] of Object.entries(entries)) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), text);
  }
}

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(HudError.is(error)).toBe(true);
  return (error as Error).message;
}

describe("Taskset.fromFile on a module", () => {
  it("collects exported Tasks, Tasksets and arrays of Tasks, named after the file", async () => {
    await files({
      "env.ts": ENV_TS,
      "suite.ts": `import { Task } from "hud";
import { Taskset } from ${JSON.stringify(TASKSET_MODULE)};
import { count } from "./env.ts";
export const single = count({ word: "one" });
export const set = new Taskset("inner", [count({ word: "two" })]);
export const mixed = [count({ word: "three" }), "not a task", 3];
export const notATask = { env: "letters", id: "count" };
export const helper = () => count({ word: "never" });
export default [new Task({ env: "letters", id: "plain" })];
`,
    });
    const ts = await Taskset.fromFile(join(dir, "suite.ts"));
    expect(ts.name).toBe("suite");
    // Module namespaces list exports alphabetically: default, mixed, set, single.
    expect([...ts].map((t) => t.args.word ?? t.id)).toEqual(["plain", "three", "two", "one"]);
  });

  it("keeps the link from template rows to their live environment", async () => {
    await files({ "env.ts": ENV_TS, "tasks.ts": TASKS_TS });
    const ts = await Taskset.fromFile(join(dir, "tasks.ts"));
    const { env } = (await import(join(dir, "env.ts"))) as { env: Environment };
    expect(ts.length).toBe(2);
    for (const task of ts) expect(task.environment).toBe(env);
    expect(Environment.is(ts.get(ts.tasks[0]!.slug)?.environment)).toBe(true);
  });

  it("loads plain JavaScript modules", async () => {
    await files({
      "rows.mjs": `import { Task } from "hud";\nexport const rows = [new Task({ env: "e", id: "js" })];\n`,
      "more.js": `import { Task } from "hud";\nexport const row = new Task({ env: "e", id: "cjs-free" });\n`,
    });
    expect((await Taskset.fromFile(join(dir, "rows.mjs"))).toJSON()).toEqual([
      { env: "e", id: "js", args: {}, slug: "js" },
    ]);
    expect((await Taskset.fromFile(join(dir, "more.js"))).get("cjs-free")).toBeDefined();
  });

  it("counts a row exported twice once", async () => {
    await files({ "env.ts": ENV_TS, "tasks.ts": `${TASKS_TS}export const first = tasks[0];\n` });
    expect((await Taskset.fromFile(join(dir, "tasks.ts"))).length).toBe(2);
  });

  it("rejects two different rows with one slug, naming both exports", async () => {
    await files({
      "clash.ts": `import { Task } from "hud";
export const a = new Task({ env: "e", id: "t", slug: "same" });
export const b = new Task({ env: "e", id: "u", slug: "same" });
`,
    });
    const message = await failure(Taskset.fromFile(join(dir, "clash.ts")));
    expect(message).toMatch(
      /duplicate task slug 'same' \(.*clash\.ts \(export a\) and .*clash\.ts \(export b\)\)/,
    );
  });

  it("reports an import failure as one line naming the file", async () => {
    await files({ "broken.ts": POISON });
    expect(await failure(Taskset.fromFile(join(dir, "broken.ts")))).toMatch(
      /^could not load .*broken\.ts: this file must not be imported$/,
    );
  });

  it("reports a module without tasks", async () => {
    await files({ "env.ts": ENV_TS });
    expect(await failure(Taskset.fromFile(join(dir, "env.ts")))).toMatch(
      /env\.ts exports no tasks; export Task rows/,
    );
  });
});

describe("Taskset.fromFile on a directory", () => {
  it("imports the task modules in sorted order and skips everything else", async () => {
    await files({
      "env.ts": ENV_TS,
      "b.ts": `import { count } from "./env.ts";\nexport const b = count({ word: "b" });\n`,
      "a.mts": `import { count } from "./env.ts";\nexport const a = count({ word: "a" });\n`,
      "c.test.ts": POISON,
      "c.spec.js": POISON,
      "vitest.config.ts": POISON,
      "types.d.ts": POISON,
      ".hidden.ts": POISON,
      "notes.json": "not json at all",
      "rows.jsonl": "{oops",
      "node_modules/pkg/index.js": POISON,
      "nested/deeper.ts": POISON,
    });
    const ts = await Taskset.fromFile(dir);
    expect(ts.name).toBe(dir.split("/").at(-1));
    expect([...ts].map((t) => t.args.word)).toEqual(["a", "b"]);
  });

  it("counts rows that several files export once (a file re-exporting another's tasks)", async () => {
    await files({
      "env.ts": ENV_TS,
      "tasks.ts": TASKS_TS,
      "all.ts": `export { tasks as everything } from "./tasks.ts";\nexport * from "./tasks.ts";\n`,
    });
    const ts = await Taskset.fromFile(dir);
    expect(ts.toJSON().map((row) => row.args.word)).toEqual(["kiwi", "fig"]);
  });

  it("rejects different rows with one slug in two files, naming both files", async () => {
    await files({
      "one.ts": `import { Task } from "hud";\nexport const t = new Task({ env: "e", id: "t", args: { v: 1 }, slug: "dup" });\n`,
      "two.ts": `import { Task } from "hud";\nexport const t = new Task({ env: "e", id: "t", args: { v: 2 }, slug: "dup" });\n`,
    });
    const message = await failure(Taskset.fromFile(dir));
    expect(message).toMatch(
      /duplicate task slug 'dup' \(.*one\.ts \(export t\) and .*two\.ts \(export t\)\); give one an explicit slug/,
    );
  });

  it("says what it scanned when it finds no tasks", async () => {
    await files({ "env.ts": ENV_TS });
    expect(await failure(Taskset.fromFile(dir))).toMatch(
      /^no tasks in .* \(scanned env\.ts\); export Task rows/,
    );
    await rm(join(dir, "env.ts"));
    expect(await failure(Taskset.fromFile(dir))).toMatch(/\(no \.ts\/\.js modules\)/);
  });
});

describe("tasksInModule", () => {
  it("recognizes tasks made by another copy of the package", async () => {
    const other = (await import(
      "../environment/task.ts?copy" as string
    )) as typeof import("../environment/task.ts");
    const foreign = new other.Task({ env: "e", id: "foreign" });
    const found = tasksInModule({ foreign, list: [foreign], nothing: null }, "x.ts");
    expect(found.map((f) => [f.task.slug, f.where])).toEqual([
      ["foreign", "x.ts (export foreign)"],
      ["foreign", "x.ts (export list)"],
    ]);
    expect(found[0]!.task).not.toBeInstanceOf(Task);
  });
});

describe("isTaskModule", () => {
  it.each([
    ["tasks.ts", true],
    ["tasks.mts", true],
    ["tasks.js", true],
    ["tasks.mjs", true],
    ["tasks.cjs", false],
    ["tasks.json", false],
    ["tasks.test.ts", false],
    ["tasks.spec.mjs", false],
    ["vite.config.mts", false],
    ["types.d.ts", false],
    ["types.d.mts", false],
    [".env.ts", false],
  ])("%s -> %s", (name, expected) => {
    expect(isTaskModule(name)).toBe(expected);
  });
});
