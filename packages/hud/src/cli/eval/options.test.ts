// `hud eval` argument handling: -c values, task selection, the default source, and resuming a stored job.
import { describe, expect, it } from "vitest";
import { Task } from "../../environment/task.ts";
import type { JobRecord } from "../../store/records.ts";
import { UsageError } from "../io.ts";
import { jobConfig, planEval, positionalArgs } from "./eval-plan.ts";

const TA = { source: "t", agent: "a" };

import {
  parseConfigPairs,
  parseConfigValue,
  resumedTasks,
  selectTasks,
  taskSourceCandidates,
} from "./options.ts";

const rows = [
  new Task({ env: "e", id: "count", args: { n: 1 } }),
  new Task({ env: "e", id: "count", args: { n: 2 } }),
  new Task({ env: "e", id: "reverse" }),
];

describe("-c key=value", () => {
  it("parses booleans, integers and floats; keeps other text", () => {
    expect(parseConfigValue("true")).toBe(true);
    expect(parseConfigValue("false")).toBe(false);
    expect(parseConfigValue("42")).toBe(42);
    expect(parseConfigValue("-3")).toBe(-3);
    expect(parseConfigValue("0.5")).toBe(0.5);
    expect(parseConfigValue("1e-3")).toBe(0.001);
    expect(parseConfigValue("True")).toBe("True");
    expect(parseConfigValue("claude-4")).toBe("claude-4");
    expect(parseConfigValue("")).toBe("");
    expect(parseConfigPairs(["a=1", "b=x=y", "a=2"])).toEqual({ a: 2, b: "x=y" });
    expect(() => parseConfigPairs(["novalue"])).toThrow(UsageError);
  });
});

describe("selectTasks", () => {
  it("keeps the first row unless --all, and says how many there were", () => {
    expect(selectTasks(rows, { all: false })).toEqual({ tasks: [rows[0]], onlyFirstOf: 3 });
    expect(selectTasks(rows, { all: true })).toEqual({ tasks: rows });
    expect(selectTasks(rows.slice(0, 1), { all: false })).toEqual({ tasks: [rows[0]] });
  });

  it("--task-ids matches slugs, template ids (every row) and indexes, in source order", () => {
    expect(selectTasks(rows, { all: false, taskIds: "reverse,0" }).tasks).toEqual([rows[0], rows[2]]);
    expect(selectTasks(rows, { all: false, taskIds: "count" }).tasks).toEqual([rows[0], rows[1]]);
    expect(selectTasks(rows, { all: false, taskIds: `${rows[1]!.slug}, 1` }).tasks).toEqual([rows[1]]);
    expect(() => selectTasks(rows, { all: false, taskIds: "7" })).toThrow("no task matching '7'");
    expect(() => selectTasks(rows, { all: false, taskIds: " , " })).toThrow(UsageError);
  });
});

describe("resumedTasks", () => {
  it("takes the stored slugs' rows, and fails on one that left the source", () => {
    expect(resumedTasks(rows, ["reverse", rows[0]!.slug], "t.ts")).toEqual([rows[2], rows[0]]);
    expect(() => resumedTasks(rows, ["gone"], "t.ts")).toThrow(
      "task 'gone' of the resumed job is no longer in t.ts",
    );
  });
});

describe("taskSourceCandidates", () => {
  it("finds task modules and data files, not config files", () => {
    expect(
      taskSourceCandidates([
        "env.ts",
        "tasks.ts",
        "package.json",
        "tsconfig.json",
        "b.jsonl",
        "a.json",
        "x.md",
      ]),
    ).toEqual(["a.json", "b.jsonl", "tasks.ts"]);
  });
});

describe("planEval", () => {
  it("applies the reference defaults and --full", () => {
    const plan = planEval({}, { source: "tasks.ts", agent: "oracle" });
    expect(plan).toMatchObject({ all: false, group: 1, maxConcurrent: 30, maxSteps: 10, runtime: "local" });
    expect(planEval({ full: true }, TA)).toMatchObject({ all: true, maxSteps: 100 });
    expect(planEval({ full: true, "max-steps": "7" }, TA).maxSteps).toBe(7);
    expect(planEval({ "group-size": "3" }, TA).group).toBe(3);
    expect(() => planEval({ group: "0" }, TA)).toThrow("--group must be a whole number ≥ 1 (got '0')");
    expect(() => planEval({ "fail-under": "x" }, TA)).toThrow("--fail-under must be a number");
  });

  it("reads [source] [agent], and a lone agent name as the agent", () => {
    const none = () => false;
    expect(positionalArgs(["tasks.ts", "oracle"], none)).toEqual({ source: "tasks.ts", agent: "oracle" });
    expect(positionalArgs(["oracle"], none)).toEqual({ agent: "oracle" });
    expect(positionalArgs(["oracle"], () => true)).toEqual({ source: "oracle", agent: undefined });
    expect(positionalArgs(["tasks.ts"], none)).toEqual({ source: "tasks.ts", agent: undefined });
    expect(() => positionalArgs(["t", "a", "b"], none)).toThrow("unexpected arguments: b");
    expect(planEval({}, { source: "t", agent: "human" }).maxConcurrent).toBe(1);
    expect(() => planEval({ runtime: "ssh://box" }, TA)).toThrow(
      "--runtime must be local, docker, docker:<image>, tcp://host:port or unix:///path",
    );
    expect(planEval({ runtime: "docker" }, TA).runtime).toBe("docker");
    expect(planEval({ runtime: "docker:demo:1" }, TA).runtime).toBe("docker:demo:1");
  });

  it("resuming takes source, agent, tasks and settings from the stored job; flags still win", () => {
    const fresh = planEval(
      { shared: true, config: ["temperature=0.2"] },
      { source: "/abs/tasks.ts", agent: "oracle" },
    );
    const stored = {
      id: "j",
      group: 4,
      source: "/abs/tasks.ts",
      agent: "oracle",
      model: null,
      config: jobConfig({ ...fresh, group: 4 }, ["count-1", "reverse"]),
    } as unknown as JobRecord;
    const plan = planEval({ "max-concurrent": "2" }, {}, stored);
    expect(plan).toMatchObject({
      source: "/abs/tasks.ts",
      agent: "oracle",
      resumeSlugs: ["count-1", "reverse"],
      group: 4,
      maxConcurrent: 2,
      shared: true,
      agentConfig: { temperature: 0.2 },
    });
    expect(() => planEval({ group: "2" }, {}, stored)).toThrow("differs from the resumed job's group (4)");
  });
});
