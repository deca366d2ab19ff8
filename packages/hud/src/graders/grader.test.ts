// Grader.grade: name/weight defaults, the three computeScore result forms and JSON-safe `info._parameters`.
import { describe, expect, it } from "vitest";
import { Grader, type ScoreResult } from "./grader.ts";
import { SubScore } from "./subscore.ts";

type LengthParams = { text: string; max: number; extra?: unknown };

class LengthGrader extends Grader<LengthParams> {
  async computeScore({ text, max }: LengthParams): Promise<ScoreResult> {
    if (text === "tuple") return [0.5, { why: "tuple" }];
    if (text === "sub") return new SubScore({ name: "inner", value: 0.25, weight: 9, info: { own: true } });
    return Math.min(1, text.length / max);
  }
}

describe("Grader.grade", () => {
  it("defaults name to the class name and weight to 1, and records the parameters", async () => {
    const s = await LengthGrader.grade({ text: "abcd", max: 8 });
    expect(s.toJSON()).toEqual({
      name: "LengthGrader",
      weight: 1,
      value: 0.5,
      children: null,
      info: { _parameters: { text: "abcd", max: 8 } },
    });
  });

  it("takes name and weight without passing them to computeScore", async () => {
    const s = await new LengthGrader().grade({ text: "ab", max: 2, name: "len", weight: 0.3 });
    expect([s.name, s.weight, s.value, s.info]).toEqual([
      "len",
      0.3,
      1,
      { _parameters: { text: "ab", max: 2 } },
    ]);
  });

  it("merges a (value, info) result's info", async () => {
    const s = await LengthGrader.grade({ text: "tuple", max: 1 });
    expect([s.value, s.info]).toEqual([0.5, { why: "tuple", _parameters: { text: "tuple", max: 1 } }]);
  });

  it("renames and reweights a SubScore result, keeping its info", async () => {
    const s = await LengthGrader.grade({ text: "sub", max: 1, weight: 2 });
    expect([s.name, s.weight, s.value, s.info]).toEqual([
      "LengthGrader",
      2,
      0.25,
      { own: true, _parameters: { text: "sub", max: 1 } },
    ]);
  });

  it("makes parameters JSON-safe", async () => {
    const cyclic: { [key: string]: unknown } = { n: 1 };
    cyclic.self = cyclic;
    const s = await LengthGrader.grade({
      text: "x",
      max: 1,
      extra: [Number.NaN, undefined, 10n, new Date(0), new Map(), cyclic, () => 1],
    });
    const extra = (s.info!._parameters as { extra: unknown[] }).extra;
    expect(extra.slice(0, 6)).toEqual([
      "NaN",
      null,
      "10",
      "1970-01-01T00:00:00.000Z",
      "[object Map]",
      { n: 1, self: "[Circular]" },
    ]);
    expect(typeof extra[6]).toBe("string");
    expect(() => JSON.stringify(s)).not.toThrow();
  });

  it("rejects a value outside [0, 1]", async () => {
    await expect(LengthGrader.grade({ text: "toolong", max: 1 - 2 })).rejects.toThrow(/between 0 and 1/);
  });
});
