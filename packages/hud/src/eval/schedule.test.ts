// Planning a job: rows × repeats task-major, shared group ids, resume skipping finished (not cancelled) pairs.
import { describe, expect, it } from "vitest";
import { Task } from "../environment/task.ts";
import { Run } from "./run.ts";
import { defaultJobName, planRollouts, StartGate } from "./schedule.ts";

const a = new Task({ env: "e", id: "a" });
const b = new Task({ env: "e", id: "b" });

describe("planRollouts", () => {
  it("expands task-major; repeats of a task share a fresh group id", () => {
    const plan = planRollouts([a, b], 2);
    expect(plan.map((p) => `${p.task.slug}#${p.repeat}`)).toEqual(["a#0", "a#1", "b#0", "b#1"]);
    expect(plan[0]!.groupId).toBe(plan[1]!.groupId);
    expect(plan[0]!.groupId).not.toBe(plan[2]!.groupId);
    expect(plan[0]!.groupId).toMatch(/^[0-9a-f]{32}$/);
  });

  it("skips finished pairs and reuses their group id; cancelled runs are planned again", () => {
    const done = new Run({ task: a, groupId: "g-a", repeat: 0 });
    done.trace.status = "completed";
    const cancelled = new Run({ task: a, groupId: "g-a", repeat: 1 });
    cancelled.trace.status = "cancelled";
    const plan = planRollouts([a, b], 2, [done, cancelled]);
    expect(plan.map((p) => `${p.task.slug}#${p.repeat}`)).toEqual(["a#1", "b#0", "b#1"]);
    expect(plan[0]!.groupId).toBe("g-a");
  });
});

describe("defaultJobName", () => {
  it("names a job after its task or its taskset, with the repeat count", () => {
    expect(defaultJobName("set", [a], 1)).toBe("a");
    expect(defaultJobName("set", [a, b], 1)).toBe("set (2 tasks)");
    expect(defaultJobName("set", [a, b], 3)).toBe("set (2 tasks) (3 times)");
  });
});

describe("StartGate", () => {
  it("admits `width` at a time in arrival order; leaving twice frees one slot", async () => {
    const gate = new StartGate(2, 60_000);
    const order: string[] = [];
    const first = await gate.enter();
    const second = await gate.enter();
    const third = gate.enter().then((leave) => {
      order.push("third");
      return leave;
    });
    const fourth = gate.enter().then((leave) => {
      order.push("fourth");
      return leave;
    });
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual([]);
    first();
    first();
    const leaveThird = await third;
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(["third"]);
    second();
    (await fourth)();
    leaveThird();
    expect(order).toEqual(["third", "fourth"]);
  });

  it("lets the next one in after holdMs even if the holder never leaves", async () => {
    const gate = new StartGate(1, 30);
    await gate.enter();
    const started = performance.now();
    const leave = await gate.enter();
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    leave();
  });
});
