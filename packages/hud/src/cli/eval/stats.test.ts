// Evaluation stats: the t interval, success and error accounting, per-task spread, usage sums.
import { describe, expect, it } from "vitest";
import type { RunFacts } from "./run-facts.ts";
import { confidence95, evalStats, tQuantile975 } from "./stats.ts";

function facts(slug: string, repeat: number, reward: number, extra: Partial<RunFacts> = {}): RunFacts {
  return {
    slug,
    repeat,
    traceId: `${slug}-${repeat}`,
    status: "completed",
    counted: true,
    reward,
    error: undefined,
    gradeError: false,
    timeout: false,
    tokens: undefined,
    costUsd: undefined,
    seconds: 1,
    ...extra,
  };
}

describe("confidence95", () => {
  it("is Student's t interval of the mean", () => {
    // mean 0.5, sample sd 0.5774, n 4, t(3) = 3.182 → half width 0.9187
    const [lo, hi] = confidence95([0, 0, 1, 1]);
    expect(lo).toBeCloseTo(0.5 - 0.9187, 3);
    expect(hi).toBeCloseTo(0.5 + 0.9187, 3);
    expect(confidence95([1, 1, 1])).toEqual([1, 1]);
    expect(confidence95([0.25])).toEqual([0.25, 0.25]);
    expect(confidence95([])).toEqual([0, 0]);
  });

  it("uses the t table, then tends to the normal quantile", () => {
    expect(tQuantile975(1)).toBe(12.706);
    expect(tQuantile975(30)).toBe(2.042);
    expect(tQuantile975(60)).toBeCloseTo(2.0003, 3);
    expect(tQuantile975(120)).toBeCloseTo(1.9799, 3);
    expect(tQuantile975(1e9)).toBeCloseTo(1.96, 3);
  });
});

describe("evalStats", () => {
  it("summarizes per task and overall; errors by phase; cancelled runs apart", () => {
    const stats = evalStats(
      [
        facts("b", 1, 1),
        facts("b", 0, 0.5),
        facts("a", 0, 1, { tokens: 30, costUsd: 0.5 }),
        facts("a", 1, 0, { status: "error", counted: false, error: "[provisioning] HudError: boom" }),
        facts("a", 2, 0, { status: "error", counted: true, error: "[agent loop] Error: x", tokens: 12 }),
        facts("c", 0, 0, { status: "error", counted: false, gradeError: true, error: "bad grade" }),
        facts("c", 1, 0, { status: "cancelled", counted: false }),
      ],
      ["a", "b"],
    );
    expect(stats.runs).toBe(6);
    expect(stats.counted).toBe(4);
    expect(stats.reward).toBeCloseTo(2.5 / 4);
    expect(stats.successRate).toBeCloseTo(2 / 6);
    expect(stats.errors).toBe(3);
    expect(stats.errorsByKind).toEqual({ provisioning: 1, "agent loop": 1, grade: 1 });
    expect(stats.cancelled).toBe(1);
    expect(stats.tasks.map((t) => t.slug)).toEqual(["a", "b", "c"]);
    expect(stats.tasks[0]).toMatchObject({ reward: 0.5, std: 0.5, rewards: [1, null, 0], runs: 3 });
    expect(stats.tasks[1]).toMatchObject({ reward: 0.75, std: 0.25, rewards: [0.5, 1] });
    expect(stats.tasks[2]).toMatchObject({ reward: null, std: null, rewards: [null], runs: 1 });
    expect(stats.tokens).toBe(42);
    expect(stats.costUsd).toBe(0.5);
  });

  it("reports no usage as null, and an empty job as zeros", () => {
    const stats = evalStats([]);
    expect(stats).toMatchObject({
      runs: 0,
      reward: 0,
      successRate: 0,
      tokens: null,
      costUsd: null,
      tasks: [],
    });
  });
});
