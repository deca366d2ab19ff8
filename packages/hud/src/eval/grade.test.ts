// Grade.fromFrame: score rules, passthrough fields, and the info-free evaluation view of subscores (python-sdk §2.1).
import { describe, expect, it } from "vitest";
import { Grade } from "./grade.ts";

describe("Grade.fromFrame", () => {
  it("reads score, done, content, info and isError; raw is the frame", () => {
    const frame = {
      score: 0.5,
      done: false,
      content: "partial",
      info: { detail: "x" },
      isError: false,
      extra: 1,
    };
    const grade = Grade.fromFrame(frame);
    expect([grade.reward, grade.done, grade.content, grade.info, grade.isError]).toEqual([
      0.5,
      false,
      "partial",
      { detail: "x" },
      false,
    ]);
    expect(grade.raw).toEqual(frame);
  });

  it("ignores content and info of the wrong type; done defaults to true", () => {
    const grade = Grade.fromFrame({ score: 1, content: 3, info: "no" });
    expect([grade.content, grade.info, grade.done]).toEqual([undefined, undefined, true]);
  });

  it.each([[{}], [{ score: "1" }], [{ score: true }], [{ score: null }], [{ reward: 1 }]])(
    "requires a numeric score: %j",
    (frame) => {
      expect(() => Grade.fromFrame(frame)).toThrow("tasks.grade: result must include a numeric 'score'");
    },
  );

  it("strips info from subscores at every level in the evaluation view (11)", () => {
    const frame = {
      score: 0.75,
      subscores: [
        {
          name: "judge",
          weight: 1,
          value: 0.75,
          children: [{ name: "criterion", weight: 1, value: 1, children: null, info: { reason: "because" } }],
          info: { model: "judge-model" },
        },
      ],
    };
    const grade = Grade.fromFrame(frame);
    expect(grade.raw).toEqual(frame);
    expect(grade.evaluation).toEqual({
      score: 0.75,
      subscores: [
        {
          name: "judge",
          weight: 1,
          value: 0.75,
          children: [{ name: "criterion", weight: 1, value: 1, children: null }],
        },
      ],
    });
  });

  it.each([
    [[{ name: "x" }], /subscores\[0\]\.value must be a number between 0 and 1/],
    [[{ name: "x", value: 1.5 }], /value must be a number between 0 and 1 \(got 1\.5\)/],
    [[{ value: 1 }], /subscores\[0\]\.name must be a string/],
    [[{ name: "x", value: 1, extra: 1 }], /unknown key 'extra'/],
    [[{ name: "x", value: 1, children: [{ name: "y" }] }], /subscores\[0\]\.children\[0\]\.value/],
    ["all", /'subscores' must be a list/],
  ])("rejects malformed subscores %j", (subscores, message) => {
    expect(() => Grade.fromFrame({ score: 1, subscores })).toThrow(message);
  });

  it("a failed grade is an errored zero that keeps the answer", () => {
    const grade = Grade.failed("RpcError: boom", "42");
    expect(grade.raw).toEqual({ score: 0, answer: "42", content: "RpcError: boom", isError: true });
    expect([grade.reward, grade.isError]).toEqual([0, true]);
  });
});
