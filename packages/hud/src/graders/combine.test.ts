// combine / combineAny / combineAll: weight normalization, penalties, the [0, 1] clamp and duplicate renaming.
import { describe, expect, it } from "vitest";
import { combine, combineAll, combineAny } from "./combine.ts";
import { SubScore } from "./subscore.ts";

const sub = (name: string, value: number, weight = 1) => new SubScore({ name, value, weight });

describe("combine", () => {
  it("normalizes positive weights by their sum", async () => {
    const result = await combine(sub("a", 1, 3), sub("b", 0, 1));
    expect(result.reward).toBeCloseTo(0.75, 12);
    expect(result.info).toEqual({});
    expect(result.subscores?.map((s) => [s.name, s.weight])).toEqual([
      ["a", 3],
      ["b", 1],
    ]);
  });

  it("applies negative weights raw, as penalties", async () => {
    const result = await combine(sub("a", 1, 2), sub("b", 0.5, 2), sub("penalty", 1, -0.25));
    expect(result.reward).toBeCloseTo(0.75 - 0.25, 12);
  });

  it("clamps below zero and keeps the unclamped reward in info", async () => {
    const result = await combine(sub("a", 0.2), sub("penalty", 1, -0.5));
    expect(result.reward).toBe(0);
    expect(result.info.unclamped_reward).toBeCloseTo(-0.3, 12);
  });

  it("a penalty that is not triggered costs nothing", async () => {
    const result = await combine(sub("a", 1), sub("penalty", 0, -1));
    expect([result.reward, result.info]).toEqual([1, {}]);
  });

  it("awaits promises in parallel and keeps their order", async () => {
    const order: string[] = [];
    const later = (s: SubScore, ms: number) =>
      new Promise<SubScore>((resolve) =>
        setTimeout(() => {
          order.push(s.name);
          resolve(s);
        }, ms),
      );
    const result = await combine(later(sub("slow", 1), 30), later(sub("fast", 0), 1), sub("now", 1));
    expect(order).toEqual(["fast", "slow"]);
    expect(result.subscores?.map((s) => s.name)).toEqual(["slow", "fast", "now"]);
    expect(result.reward).toBeCloseTo(2 / 3, 12);
  });

  it("renames duplicates name-1, name-2, skipping names already present", async () => {
    const result = await combine(sub("a", 1), sub("a", 1), sub("a-1", 1), sub("a", 1), sub("b", 1));
    expect(result.subscores?.map((s) => s.name)).toEqual(["a", "a-2", "a-1", "a-3", "b"]);
  });

  it("rejects no subscores and no positive weight", async () => {
    await expect(combine()).rejects.toThrow(/at least one subscore/);
    await expect(combine(sub("p", 1, -1), sub("z", 1, 0))).rejects.toThrow(/positive weight/);
  });

  it("produces a grade frame with the subscores in wire form", async () => {
    const result = await combine(sub("a", 1), sub("a", 0));
    expect(JSON.parse(JSON.stringify(result))).toEqual({
      score: 0.5,
      done: true,
      info: {},
      isError: false,
      subscores: [
        { name: "a", weight: 1, value: 1, children: null },
        { name: "a-1", weight: 1, value: 0, children: null },
      ],
    });
  });
});

describe("combineAny / combineAll", () => {
  const subs = () => [sub("x", 0.25), Promise.resolve(sub("x", 0.75)), sub("y", 0.5)];

  it("combineAny takes the best value, with renamed children", async () => {
    const any = await combineAny(0.5, subs(), "either");
    expect([any.name, any.weight, any.value]).toEqual(["either", 0.5, 0.75]);
    expect(any.children?.map((c) => c.name)).toEqual(["x", "x-1", "y"]);
  });

  it("combineAll takes the worst value", async () => {
    const all = await combineAll(2, subs(), "both");
    expect([all.name, all.weight, all.value]).toEqual(["both", 2, 0.25]);
    expect(all.toJSON().children).toHaveLength(3);
  });

  it("rejects an empty list", async () => {
    await expect(combineAny(1, [], "none")).rejects.toThrow(/at least one subscore/);
    await expect(combineAll(1, [], "none")).rejects.toThrow(/at least one subscore/);
  });
});
