// `hud task` end to end: start in one process, grade in another, against a running `hud serve`.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runHud, type ServeProcess, startServe } from "./support/hud-process.ts";

const QUICKSTART = "examples/quickstart";
const TASKS = "examples/quickstart/tasks.ts";

describe("hud task against a running hud serve", () => {
  let server: ServeProcess;
  let dir: string;
  beforeAll(async () => {
    server = await startServe([QUICKSTART, "--port", "0"]);
    dir = await mkdtemp(join(tmpdir(), "hud-cli-task-"));
  });
  afterAll(async () => {
    await server?.[Symbol.asyncDispose]();
    await rm(dir, { recursive: true, force: true });
  });

  it("starts in one process and grades the parked task in another", async () => {
    const start = await runHud([
      "task",
      "start",
      "count",
      "--url",
      server.url,
      "--args",
      '{"word":"strawberry","letter":"r"}',
    ]);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout.trim()).toBe(
      "How many times does the letter 'r' appear in 'strawberry'? Answer with the number only.",
    );
    expect(start.stderr).toMatch(/parked in session sess-[0-9a-f]{8}/);

    const grade = await runHud(["task", "grade", "count", "--url", server.url, "--answer", "3"]);
    expect(grade.code, grade.stderr).toBe(0);
    expect(grade.stdout.trim()).toBe("1");

    // The parked task was consumed: a wrong answer now starts and grades a fresh task (score 0).
    const again = await runHud([
      "task",
      "grade",
      "count",
      "--url",
      server.url,
      "--answer",
      "7",
      "--args",
      '{"word":"kiwi","letter":"i"}',
    ]);
    expect(again.stdout.trim()).toBe("0");
    expect(again.stderr).toContain("no parked task");
  });

  it("grades the session named by --session when several are parked", async () => {
    const a = await runHud([
      "task",
      "start",
      "count",
      "--url",
      server.url,
      "--args",
      '{"word":"banana","letter":"a"}',
    ]);
    const b = await runHud(["task", "start", "reverse", "--url", server.url, "--args", '{"word":"abc"}']);
    const sessionOf = (text: string) => /sess-[0-9a-f]{8}/.exec(text)![0];
    const ambiguous = await runHud(["task", "grade", "count", "--url", server.url, "--answer", "3"]);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain("parked sessions");
    expect(ambiguous.stderr.trim().split("\n")).toHaveLength(1);

    const first = await runHud([
      "task",
      "grade",
      "count",
      "--url",
      server.url,
      "--session",
      sessionOf(a.stderr),
      "--answer",
      "3",
    ]);
    expect(first.stdout.trim()).toBe("1");
    const out = join(dir, "grade.json");
    const second = await runHud([
      "task",
      "grade",
      "reverse",
      "--url",
      server.url,
      "--session",
      sessionOf(b.stderr),
      "--answer",
      "cba",
      "-o",
      out,
    ]);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(await readFile(out, "utf8"))).toEqual({ score: 1, info: { expected: "cba" } });
  });

  it("reports bad input as one line and a non-zero exit", async () => {
    const badArgs = await runHud(["task", "start", "count", "--url", server.url, "--args", "[1]"]);
    expect(badArgs.code).toBe(2);
    expect(badArgs.stderr).toBe("error: --args must be a JSON object (got [1])\n");
    const unknown = await runHud(["task", "start", "nope", "--url", server.url]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe("error: unknown task: 'nope'\n");
    const invalid = await runHud(["task", "start", "count", "--url", server.url, "--args", '{"word":1}']);
    expect(invalid.stderr).toMatch(/^error: invalid args for task 'count': .*'word'/);
  });
});

describe("hud task with a spawned environment", () => {
  it("lists the rows of a task source", async () => {
    const result = await runHud(["task", "list", "--source", TASKS]);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines).toHaveLength(5);
    expect(lines[0]).toBe('count-759529a8\tcount {"word":"strawberry","letter":"r"}');
  });

  it("starts and grades a row by index, slug or id in a fresh child", async () => {
    const byIndex = await runHud(["task", "grade", "0", "--source", TASKS, "--answer", "3"]);
    expect(byIndex.code, byIndex.stderr).toBe(0);
    expect(byIndex.stdout.trim()).toBe("1");
    const bySlug = await runHud(["task", "start", "count-759529a8", "--source", TASKS]);
    expect(bySlug.stdout).toContain("'strawberry'");
    const missing = await runHud(["task", "start", "nothing", "--source", TASKS]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: no task matching 'nothing'/);
  });
});

describe("hud CLI basics", () => {
  it("prints the version and help, and rejects unknown commands", async () => {
    const version = await runHud(["--version"]);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = await runHud(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("serve");
    expect(help.stdout).toContain("task");
    const unknown = await runHud(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("error: unknown command 'frobnicate' (run hud --help for the list)\n");
    const missing = await runHud(["serve", "/definitely/not/here"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe("error: no such file or directory: /definitely/not/here\n");
  });
});
