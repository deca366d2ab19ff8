// Job: the runs of one evaluation, accumulated across calls, with the reference's reward and error rules.
import { randomUUID } from "node:crypto";
import type { Run } from "./run.ts";

export function newId(): string {
  return randomUUID().replaceAll("-", "");
}

export interface JobInit {
  id?: string;
  name: string;
  group?: number;
  taskset_id?: string;
  /** Runs already finished (e.g. loaded from the store when resuming). */
  runs?: Run[];
}

/**
 * Whether a run counts toward the reward: graded without error (an errored run that was still graded counts).
 * A cancelled run was never graded and does not count.
 */
export function isCounted(run: Run): boolean {
  if (run.grade.isError) return false;
  return Object.keys(run.grade.raw).length > 0 || !(run.trace.isError || run.trace.status === "cancelled");
}

/** Whether a run is an error of the job: its grade errored, or it errored and was never graded. */
export function isJobError(run: Run): boolean {
  return run.grade.isError || (run.trace.isError && Object.keys(run.grade.raw).length === 0);
}

export class Job {
  readonly id: string;
  readonly name: string;
  readonly group: number;
  readonly taskset_id: string | undefined;
  readonly runs: Run[];
  /** Set when the job's budget ran out before every rollout started. */
  budgetStop: { budgetUsd: number; spentUsd: number; notStarted: number } | undefined;

  constructor(init: JobInit) {
    this.id = init.id ?? newId();
    this.name = init.name;
    this.group = init.group ?? 1;
    this.taskset_id = init.taskset_id;
    this.runs = [...(init.runs ?? [])];
  }

  /** Mean reward over counted runs; 0 when none count. */
  get reward(): number {
    const counted = this.runs.filter(isCounted);
    return counted.length === 0 ? 0 : counted.reduce((sum, run) => sum + run.reward, 0) / counted.length;
  }

  get errors(): Run[] {
    return this.runs.filter(isJobError);
  }

  /** Runs by task slug, in order. */
  get results(): Record<string, Run[]> {
    const out: Record<string, Run[]> = {};
    for (const run of this.runs) {
      out[run.slug] ??= [];
      out[run.slug]!.push(run);
    }
    return out;
  }
}
