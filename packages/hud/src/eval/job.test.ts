// Job: reward and error rules (python-sdk §2.5 and §9 case 68) over runs in every end state.
import { describe, expect, it } from "vitest";
import { Task } from "../environment/task.ts";
import { Grade } from "./grade.ts";
import { Job } from "./job.ts";
import { Run } from "./run.ts";

const task = new Task({ env: "e", id: "t" });

function run(options: { score?: number; status?: Run["trace"]["status"]; gradeError?: boolean }): Run {
  const r = new Run({ task });
  if (options.score !== undefined)
    r.grade = Grade.fromFrame({ score: options.score, isError: options.gradeError });
  r.trace.status = options.status;
  return r;
}

describe("Job reward and errors", () => {
  it("averages graded runs, including errored runs that were still graded", () => {
    const graded = run({ score: 1, status: "completed" });
    const erroredButGraded = run({ score: 0.5, status: "error" });
    const job = new Job({ name: "j", runs: [graded, erroredButGraded] });
    expect(job.reward).toBe(0.75);
    expect(job.errors).toEqual([]);
  });

  it("ignores failed runs that were never graded; they are the job's errors (68)", () => {
    const failed = Run.failed(task, "[provisioning] Error: no substrate");
    const job = new Job({ name: "j", runs: [run({ score: 1, status: "completed" }), failed] });
    expect(job.reward).toBe(1);
    expect(job.errors).toEqual([failed]);
  });

  it("is 0 when every run errored (68)", () => {
    const job = new Job({ name: "j", runs: [Run.failed(task, "a"), Run.failed(task, "b")] });
    expect(job.reward).toBe(0);
    expect(job.errors).toHaveLength(2);
    expect(new Job({ name: "empty" }).reward).toBe(0);
  });

  it("an error grade is an error and does not count, even with a score", () => {
    const errorGrade = run({ score: 1, status: "completed", gradeError: true });
    const job = new Job({ name: "j", runs: [errorGrade, run({ score: 0, status: "completed" })] });
    expect(job.reward).toBe(0);
    expect(job.errors).toEqual([errorGrade]);
  });

  it("a cancelled run is neither counted nor an error", () => {
    const cancelled = run({ status: "cancelled" });
    const job = new Job({ name: "j", runs: [cancelled, run({ score: 1, status: "completed" })] });
    expect(job.reward).toBe(1);
    expect(job.errors).toEqual([]);
  });

  it("groups results by slug in order", () => {
    const other = new Run({ task: new Task({ env: "e", id: "u" }) });
    const [a, b] = [new Run({ task }), new Run({ task })];
    expect(new Job({ name: "j", runs: [a, other, b] }).results).toEqual({ t: [a, b], u: [other] });
  });
});
