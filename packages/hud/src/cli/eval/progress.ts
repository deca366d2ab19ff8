// What the user watches while a job runs: a live progress line on a terminal, one line per rollout otherwise,
// and the steps of a lone rollout (or of every rollout with -v) as they are recorded.

import type { Job } from "../../eval/job.ts";
import { isCounted } from "../../eval/job.ts";
import type { Run } from "../../eval/run.ts";
import type { JobObserver, PlannedRollout } from "../../eval/schedule.ts";
import type { Step } from "../../eval/trace.ts";
import { renderStep } from "./render-step.ts";
import { mean } from "./stats.ts";
import { clip, clock, duration, reward, type Style } from "./style.ts";

export interface ProgressState {
  total: number;
  done: number;
  running: number;
  errors: number;
  rewards: number[];
  /** Rollouts finished before this process started (resume). */
  before: number;
  elapsed: number;
}

/** `12/200 done · 8 running · 1 error · mean 0.750 · 0:12 · ETA 3:10` */
export function progressLine(state: ProgressState): string {
  const parts = [`${state.done}/${state.total} done`, `${state.running} running`];
  parts.push(`${state.errors} ${state.errors === 1 ? "error" : "errors"}`);
  if (state.rewards.length > 0) parts.push(`mean ${reward(mean(state.rewards))}`);
  parts.push(clock(state.elapsed));
  const here = state.done - state.before;
  if (here > 0 && state.done < state.total) {
    parts.push(`ETA ${clock((state.elapsed / here) * (state.total - state.done))}`);
  }
  return parts.join(" · ");
}

/** One line for a finished rollout: mark, task#repeat, reward or error, duration. */
export function rolloutLine(run: Run, seconds: number | undefined, style: Style): string {
  const id = `${run.slug}#${run.repeat}`;
  const took = seconds === undefined ? "" : style.dim(` (${duration(seconds)})`);
  if (run.trace.status === "cancelled") return `${style.yellow("○")} ${id} cancelled${took}`;
  if (run.trace.isError) {
    const graded = isCounted(run) ? ` reward ${reward(run.reward)}` : "";
    return `${style.red("✗")} ${id}${graded} ${style.red(clip(run.trace.error ?? run.grade.content ?? "error", 160))}${took}`;
  }
  const mark = run.reward >= 1 ? style.green("✓") : run.reward > 0 ? style.yellow("◐") : "·";
  return `${mark} ${id} reward ${reward(run.reward)}${took}`;
}

export interface ProgressOptions {
  /** Redraw a status line in place (a terminal); otherwise print a line per finished rollout. */
  live: boolean;
  style: Style;
  /** Lines of the log (rollout lines, streamed steps). */
  log: (text: string) => void;
  /** The live status line's stream (a terminal). */
  status: (text: string) => void;
  /** Stream steps of every rollout, not only of a lone one. */
  verbose: boolean;
  /** Stream steps at all (off when the agent shows its own, e.g. human). */
  streamSteps?: boolean;
  now?: () => number;
}

export class ProgressDisplay implements JobObserver {
  private readonly options: ProgressOptions;
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly began = new Map<Run, number>();
  private readonly unsubscribe = new Map<Run, () => void>();
  private state: ProgressState = {
    total: 0,
    done: 0,
    running: 0,
    errors: 0,
    rewards: [],
    before: 0,
    elapsed: 0,
  };
  private stream = false;
  private timer: NodeJS.Timeout | undefined;
  private shown = false;

  constructor(options: ProgressOptions) {
    this.options = options;
    this.now = options.now ?? (() => performance.now() / 1000);
    this.startedAt = this.now();
  }

  jobStarted(job: Job, plan: PlannedRollout[]): void {
    const before = job.runs.filter((run) => run.trace.status !== "cancelled");
    this.state.total = before.length + plan.length;
    this.state.done = before.length;
    this.state.before = before.length;
    this.state.errors = before.filter((run) => run.trace.isError).length;
    this.state.rewards = before.filter(isCounted).map((run) => run.reward);
    this.stream =
      this.options.streamSteps !== false &&
      (this.options.verbose || (plan.length === 1 && before.length === 0));
    if (this.options.live) {
      this.timer = setInterval(() => this.draw(), 250);
      this.timer.unref();
      this.draw();
    }
  }

  rolloutStarted(run: Run): void {
    this.began.set(run, this.now());
    this.state.running++;
    if (this.stream) {
      const prefix = this.options.verbose && this.state.total > 1 ? `[${run.slug}#${run.repeat}] ` : "";
      this.unsubscribe.set(
        run,
        run.trace.onStep((step) => this.printStep(step, prefix)),
      );
    }
    this.draw();
  }

  rolloutFinished(run: Run): void {
    const began = this.began.get(run);
    this.began.delete(run);
    this.unsubscribe.get(run)?.();
    this.unsubscribe.delete(run);
    this.state.running = Math.max(0, this.state.running - 1);
    if (run.trace.status !== "cancelled") {
      this.state.done++;
      if (run.trace.isError) this.state.errors++;
      if (isCounted(run)) this.state.rewards.push(run.reward);
    }
    // A live line counts the rest; errors are worth a line of their own anyway.
    if (!this.options.live || this.stream || run.trace.isError) {
      const seconds = began === undefined ? undefined : this.now() - began;
      this.print(rolloutLine(run, seconds, this.options.style));
    }
    this.draw();
  }

  jobFinished(): void {
    this.stop();
  }

  /** Stop redrawing and clear the status line. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.clear();
  }

  private printStep(step: Step, prefix: string): void {
    const lines = renderStep(step, { style: this.options.style, maxChars: 1000, maxLines: 12 });
    if (lines.length > 0) this.print(lines.map((line) => `${prefix}${line}`).join("\n"));
  }

  private print(text: string): void {
    this.clear();
    this.options.log(`${text}\n`);
    this.draw();
  }

  private clear(): void {
    if (!this.shown) return;
    this.options.status("\r\x1b[2K");
    this.shown = false;
  }

  private draw(): void {
    if (!this.options.live || this.timer === undefined) return;
    this.state.elapsed = this.now() - this.startedAt;
    this.options.status(`\r\x1b[2K${this.options.style.dim(progressLine(this.state))}`);
    this.shown = true;
  }
}
