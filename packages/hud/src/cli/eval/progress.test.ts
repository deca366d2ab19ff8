// The live view: the progress line's numbers, a line per rollout off a terminal, redraws in place on one.
import { describe, expect, it } from "vitest";
import { Task } from "../../environment/task.ts";
import { Grade } from "../../eval/grade.ts";
import { Job } from "../../eval/job.ts";
import { Run } from "../../eval/run.ts";
import { planRollouts } from "../../eval/schedule.ts";
import { ProgressDisplay, progressLine } from "./progress.ts";
import { PLAIN } from "./style.ts";

describe("progressLine", () => {
  it("shows done/total, running, errors, mean so far, elapsed and ETA", () => {
    const line = progressLine({
      total: 10,
      done: 4,
      running: 2,
      errors: 1,
      rewards: [1, 0.5],
      before: 0,
      elapsed: 20,
    });
    expect(line).toBe("4/10 done · 2 running · 1 error · mean 0.750 · 0:20 · ETA 0:30");
    // Rollouts done before a resume do not speed up the estimate.
    const resumed = progressLine({
      total: 10,
      done: 6,
      running: 0,
      errors: 0,
      rewards: [],
      before: 5,
      elapsed: 10,
    });
    expect(resumed).toBe("6/10 done · 0 running · 0 errors · 0:10 · ETA 0:40");
  });
});

function finished(task: Task, score: number, repeat = 0): Run {
  const run = new Run({ task, repeat });
  run.grade = Grade.fromFrame({ score });
  run.trace.status = "completed";
  return run;
}

describe("ProgressDisplay", () => {
  const task = new Task({ env: "e", id: "t" });
  const other = new Task({ env: "e", id: "u" });

  it("off a terminal prints one line per finished rollout", () => {
    let log = "";
    let clock = 0;
    const display = new ProgressDisplay({
      live: false,
      style: PLAIN,
      log: (t) => {
        log += t;
      },
      status: () => {
        throw new Error("no status line off a terminal");
      },
      verbose: false,
      now: () => clock,
    });
    const job = new Job({ name: "j" });
    display.jobStarted(job, planRollouts([task, other], 1));
    const a = finished(task, 1);
    display.rolloutStarted(a);
    clock = 2;
    display.rolloutFinished(a);
    const b = new Run({ task: other });
    display.rolloutStarted(b);
    b.trace.status = "error";
    b.trace.record({ source: "system", error: "[provisioning] HudError: no port" });
    display.rolloutFinished(b);
    display.jobFinished();
    expect(log).toBe("✓ t#0 reward 1.000 (2.00s)\n✗ u#0 [provisioning] HudError: no port (0.00s)\n");
  });

  it("on a terminal redraws one status line and streams a lone rollout's steps above it", () => {
    let log = "";
    let status = "";
    const display = new ProgressDisplay({
      live: true,
      style: PLAIN,
      log: (t) => {
        log += t;
      },
      status: (t) => {
        status += t;
      },
      verbose: false,
      now: () => 0,
    });
    display.jobStarted(new Job({ name: "j" }), planRollouts([task], 1));
    const run = new Run({ task });
    display.rolloutStarted(run);
    run.trace.record({ source: "agent", content: "hello", done: true });
    run.grade = Grade.fromFrame({ score: 0 });
    run.trace.status = "completed";
    display.rolloutFinished(run);
    display.jobFinished();
    expect(log).toBe("agent\n  hello\n· t#0 reward 0.000 (0.00s)\n");
    expect(status).toContain("\r\x1b[2K0/1 done · 1 running · 0 errors · 0:00");
    expect(status).toContain("1/1 done · 0 running · 0 errors · mean 0.000 · 0:00");
    expect(status.endsWith("\r\x1b[2K")).toBe(true);
  });
});
