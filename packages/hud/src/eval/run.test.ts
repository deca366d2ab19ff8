// Run: the prompt views agents consume (python-sdk §9, 58–61) and how start and grade frames are recorded.
import { describe, expect, it } from "vitest";
import { Task } from "../environment/task.ts";
import { Run } from "./run.ts";

const task = new Task({ env: "e", id: "t" });

function withPrompt(prompt: Run["prompt"]): Run {
  const run = new Run({ task });
  run.prompt = prompt;
  return run;
}

describe("Run prompt views", () => {
  it("wraps plain text as one user turn (58)", () => {
    expect(withPrompt("hello").promptMessages).toEqual([
      { role: "user", content: { type: "text", text: "hello" } },
    ]);
  });

  it("no prompt is one empty user turn (59)", () => {
    expect(withPrompt(null).promptMessages).toEqual([{ role: "user", content: { type: "text", text: "" } }]);
    expect(withPrompt(null).promptText).toBe("");
  });

  it("normalizes chat turns: roles outside user/assistant become user; content blocks pass through (60)", () => {
    const prior = { role: "assistant", content: { type: "text", text: "prior" } };
    const messages = withPrompt([
      { role: "user", content: { type: "text", text: "hi" } },
      { role: "system", content: "be nice" },
      prior,
    ] as never).promptMessages;
    expect(messages.map((m) => m.role)).toEqual(["user", "user", "assistant"]);
    expect(messages[1]!.content).toEqual({ type: "text", text: "be nice" });
    expect(messages[2]).toEqual(prior);
  });

  it("prompt text joins text turns by blank lines, dropping non-text and empty turns (61)", () => {
    const image = { role: "user", content: { type: "image", data: "aGk=", mimeType: "image/png" } };
    const run = withPrompt([
      { role: "user", content: "first" },
      image,
      { role: "user", content: "" },
      "second",
    ] as never);
    expect(run.promptText).toBe("first\n\nsecond");
    expect(run.promptMessages[1]!.content.type).toBe("image");
  });

  it("a list of content blocks becomes one turn per block; other content is stringified", () => {
    const run = withPrompt([
      { role: "user", content: [{ type: "text", text: "a" }, "b"] },
      { role: "assistant", content: 3 },
      { role: "user" },
      7,
    ] as never);
    expect(run.promptMessages).toEqual([
      { role: "user", content: { type: "text", text: "a" } },
      { role: "user", content: { type: "text", text: "b" } },
      { role: "assistant", content: { type: "text", text: "3" } },
      { role: "user", content: { type: "text", text: "" } },
      { role: "user", content: { type: "text", text: "7" } },
    ]);
    expect(run.promptText).toBe("a\n\nb\n\n3\n\n7");
  });
});

describe("Run records", () => {
  it("records the start frame: setup step, prompt, user step, task bindings", () => {
    const run = new Run({ task });
    run.recordStart(
      { prompt: "go", bindings: { robot: { token: "slot-2" } } },
      { x: 1 },
      "2025-01-01T00:00:00.000Z",
    );
    expect(run.prompt).toBe("go");
    expect(run.taskBindings).toEqual({ robot: { token: "slot-2" } });
    const [setup, user] = run.trace.steps;
    expect(setup).toMatchObject({
      step_id: 1,
      source: "task",
      task_call: { phase: "setup", name: "t", arguments: { x: 1 }, result: { prompt: "go" } },
      started_at: "2025-01-01T00:00:00.000Z",
    });
    expect(user).toMatchObject({ step_id: 2, source: "user", messages: [{ role: "user" }] });
  });

  it("a start frame without a prompt records no user step", () => {
    const run = new Run({ task });
    run.recordStart({ prompt: null }, {}, "2025-01-01T00:00:00.000Z");
    expect(run.trace.steps.map((s) => s.source)).toEqual(["task"]);
  });

  it("rejects bindings that are not an object of objects", () => {
    for (const bindings of [{ robot: "slot-2" }, ["robot"], "robot", null]) {
      expect(() => new Run({ task }).recordStart({ prompt: "go", bindings }, {}, "")).toThrow(
        "start frame 'bindings' must be an object of objects",
      );
    }
  });

  it("records a grade frame as the evaluate step; an error grade's content is the step error", () => {
    const run = new Run({ task });
    run.recordGrade("t", { answer: "a" }, { score: 0.5, isError: true, content: "grader broke" }, "");
    expect(run.reward).toBe(0.5);
    expect(run.trace.status).toBe("completed");
    expect(run.trace.steps[0]).toMatchObject({
      source: "task",
      task_call: { phase: "evaluate", name: "t", arguments: { answer: "a" } },
      error: "grader broke",
    });
  });

  it("a malformed grade frame throws and records nothing", () => {
    const run = new Run({ task });
    expect(() => run.recordGrade("t", {}, { reward: 1 }, "")).toThrow("numeric 'score'");
    expect(run.trace.steps).toEqual([]);
    expect(run.grade.raw).toEqual({});
  });

  it("a failed run forgets its start and records one system step", () => {
    const run = new Run({ task });
    run.recordStart({ prompt: "go" }, {}, "");
    run.runtime = "tcp://127.0.0.1:1";
    run.recordFailure("[starting task] boom", { live: false });
    expect([run.prompt, run.runtime, run.trace.status, run.trace.error]).toEqual([
      null,
      undefined,
      "error",
      "[starting task] boom",
    ]);
    const failed = Run.failed(task, "no substrate");
    expect(failed.trace.steps).toMatchObject([{ source: "system", error: "no substrate" }]);
  });
});
