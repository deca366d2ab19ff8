// SubScore validation and wire form; EvaluationResult's grade frame matches python-sdk §9 case 11 exactly.
import { describe, expect, it } from "vitest";
import { TO_GRADE_FRAME } from "../environment/grade.ts";
import { Grade } from "../eval/grade.ts";
import { EvaluationResult } from "./evaluation-result.ts";
import { SubScore } from "./subscore.ts";

describe("SubScore", () => {
  it("defaults weight to 1 and serializes children as null when absent, info only when set", () => {
    expect(new SubScore({ name: "a", value: 0.5 }).toJSON()).toEqual({
      name: "a",
      weight: 1,
      value: 0.5,
      children: null,
    });
    expect(Object.keys(new SubScore({ name: "a", value: 1, info: { x: 1 } }).toJSON())).toEqual([
      "name",
      "weight",
      "value",
      "children",
      "info",
    ]);
  });

  it.each([-0.01, 1.01, Number.NaN, Number.POSITIVE_INFINITY])("rejects value %d", (value) => {
    expect(() => new SubScore({ name: "bad", value })).toThrow(
      /'bad': value must be a number between 0 and 1/,
    );
  });

  it("accepts the bounds and negative weights, rejects non-finite weights", () => {
    expect(new SubScore({ name: "p", value: 0, weight: -0.5 }).weight).toBe(-0.5);
    expect(new SubScore({ name: "p", value: 1 }).value).toBe(1);
    expect(() => new SubScore({ name: "p", value: 1, weight: Number.NaN })).toThrow(
      /weight must be a finite/,
    );
  });

  it("with() copies without changing the original", () => {
    const a = new SubScore({ name: "a", value: 0.5, info: { k: 1 } });
    const b = a.with({ name: "b" });
    expect([a.name, b.name, b.value, b.info]).toEqual(["a", "b", 0.5, { k: 1 }]);
  });
});

describe("EvaluationResult", () => {
  it("has the Python defaults", () => {
    const r = new EvaluationResult();
    expect([r.reward, r.done, r.content, r.info, r.isError, r.subscores]).toEqual([
      0,
      true,
      undefined,
      {},
      false,
      undefined,
    ]);
    expect(r[TO_GRADE_FRAME]()).toEqual({ score: 0, done: true, info: {}, isError: false });
  });

  it("produces case 11's frame exactly, key order included, and the runner accepts it", () => {
    const result = new EvaluationResult({
      reward: 0.75,
      content: "nice",
      info: { max_tile: 256 },
      subscores: [
        new SubScore({
          name: "judge",
          value: 0.75,
          children: [new SubScore({ name: "criterion", value: 1, info: { reason: "because" } })],
          info: { model: "judge-model" },
        }),
      ],
    });
    const expected =
      '{"score":0.75,"done":true,"content":"nice","info":{"max_tile":256},"isError":false,"subscores":[{"name":"judge","weight":1.0,"value":0.75,"children":[{"name":"criterion","weight":1.0,"value":1.0,"children":null,"info":{"reason":"because"}}],"info":{"model":"judge-model"}}]}';
    const frame = result[TO_GRADE_FRAME]();
    expect(JSON.stringify(frame)).toBe(JSON.stringify(JSON.parse(expected)));
    expect(JSON.stringify(result)).toBe(JSON.stringify(frame));
    expect(Grade.fromFrame(frame).reward).toBe(0.75);
  });

  it("rejects a non-finite reward", () => {
    expect(() => new EvaluationResult({ reward: Number.NaN })).toThrow(/reward must be a finite number/);
  });
});
