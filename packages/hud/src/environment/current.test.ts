// currentEnvironment(): set by the task runner around every step of a template (start, grade, cleanup) and its
// solution, across awaits and generator resumption, and unset outside them.
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { currentEnvironment } from "./current.ts";
import { Environment } from "./environment.ts";
import { RunningTask } from "./server/running-task.ts";

function nameNow(): string | undefined {
  return currentEnvironment()?.name;
}

describe("currentEnvironment", () => {
  it("is the serving environment in every step of a template and in its solution", async () => {
    const env = new Environment({ name: "ctx" });
    const other = new Environment({ name: "other" });
    const seen: Record<string, string | undefined> = {};
    env.template(
      {
        id: "t",
        solution: async () => {
          await sleep(5);
          seen.solution = nameNow();
          return "answer";
        },
      },
      async function* () {
        seen.start = nameNow();
        await sleep(5);
        seen.afterAwait = nameNow();
        try {
          yield "prompt";
          seen.resumed = nameNow();
          await sleep(5);
          seen.grading = nameNow();
          yield 1;
        } finally {
          seen.cleanup = nameNow();
        }
      },
    );
    other.template("t", async function* () {
      yield "prompt";
      seen.other = nameNow();
      yield 1;
    });

    const task = await RunningTask.start(env, "t", {});
    const concurrent = await RunningTask.start(other, "t", {});
    expect(nameNow()).toBeUndefined();
    await task.solve();
    await Promise.all([task.grade({ answer: "a" }), concurrent.grade({ answer: "b" })]);
    expect(seen).toEqual({
      start: "ctx",
      afterAwait: "ctx",
      solution: "ctx",
      resumed: "ctx",
      grading: "ctx",
      cleanup: "ctx",
      other: "other",
    });
    expect(nameNow()).toBeUndefined();
  });

  it("is set for the cleanup of a cancelled task", async () => {
    const env = new Environment({ name: "cancelled" });
    let cleanup: string | undefined;
    env.template("t", async function* () {
      try {
        yield "prompt";
        yield 1;
      } finally {
        cleanup = nameNow();
      }
    });
    const task = await RunningTask.start(env, "t", {});
    await task.cancel();
    expect(cleanup).toBe("cancelled");
  });
});
