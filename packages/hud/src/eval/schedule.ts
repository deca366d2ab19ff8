// Scheduling a job: expand rows × repeats into a plan (pure), then run the plan with bounded concurrency.
import type { ConnectOptions } from "../client/client.ts";
import type { Environment } from "../environment/environment.ts";
import type { Task } from "../environment/task.ts";
import { HudError } from "../protocol/errors.ts";
import { LocalRuntime } from "../runtime/local.ts";
import type { Placement } from "../runtime/placement.ts";
import { Shared } from "../runtime/shared.ts";
import type { Agent } from "./agent.ts";
import { Job, newId } from "./job.ts";
import { type RolloutObserver, rollout, validateTimeouts } from "./rollout.ts";
import type { Run } from "./run.ts";
import type { AgentStep } from "./trace.ts";

export const DEFAULT_MAX_CONCURRENT = 30;

/** Observes a whole job: its start (with the plan) and every rollout in it. */
export interface JobObserver extends RolloutObserver {
  jobStarted?(job: Job, plan: PlannedRollout[]): void | Promise<void>;
  jobFinished?(job: Job): void | Promise<void>;
}

export interface RunOptions {
  /** Where each rollout's environment runs; default: rows of live environments run in-process. */
  runtime?: Placement;
  /** Repeats per task (they share a group id); default the job's group, else 1. */
  group?: number;
  /** Rollouts in flight at once (default 30). */
  maxConcurrent?: number;
  /** Add the runs to this job (resume: its finished (task, repeat) pairs are skipped). */
  job?: Job;
  /** Name for a new job. */
  name?: string;
  /** Seconds bounding each rollout. */
  rolloutTimeout?: number;
  /** Abort: stop scheduling and cancel running rollouts (they end `cancelled`). */
  signal?: AbortSignal;
  /**
   * Dollars the job may spend on model calls (as the agent steps report `usage.cost_usd`): once spent, no new
   * rollout starts; running ones finish. What was left out is in `job.budgetStop`.
   */
  budgetUsd?: number;
  observer?: JobObserver;
  connect?: ConnectOptions;
}

export interface PlannedRollout {
  task: Task;
  repeat: number;
  groupId: string;
}

/** The key that identifies one (task, repeat) pair within a job. */
export function pairKey(slug: string, repeat: number): string {
  return `${slug}#${repeat}`;
}

/**
 * Expand rows × repeats, task-major, skipping pairs already done (a cancelled run is not done). Repeats of a
 * task share one group id, reusing the group id of earlier runs of that task when resuming.
 */
export function planRollouts(
  tasks: readonly Task[],
  group: number,
  done: readonly Run[] = [],
): PlannedRollout[] {
  const finished = new Set(
    done.filter((run) => run.trace.status !== "cancelled").map((run) => pairKey(run.slug, run.repeat)),
  );
  const groups = new Map<string, string>();
  for (const run of done) if (run.group_id) groups.set(run.slug, run.group_id);
  const plan: PlannedRollout[] = [];
  for (const task of tasks) {
    const groupId = groups.get(task.slug) ?? newId();
    for (let repeat = 0; repeat < group; repeat++) {
      if (!finished.has(pairKey(task.slug, repeat))) plan.push({ task, repeat, groupId });
    }
  }
  return plan;
}

export function defaultJobName(name: string, tasks: readonly Task[], group: number): string {
  const base = tasks.length === 1 ? tasks[0]!.id : `${name} (${tasks.length} tasks)`;
  return group > 1 ? `${base} (${group} times)` : base;
}

/** Rows made by templates of live environments run in-process, one served instance per environment. */
function defaultPlacement(
  tasks: readonly Task[],
  width: number,
): (Placement & { close(): Promise<void> }) | undefined {
  const envs = new Map<string, Environment>();
  for (const task of tasks) {
    const env = task.environment as Environment | undefined;
    if (!env) return undefined;
    envs.set(task.env, env);
  }
  const byEnv = new Map([...envs].map(([name, env]) => [name, new Shared(new LocalRuntime(env), { width })]));
  const placement = ((task: Task) => byEnv.get(task.env)!(task)) as Placement & { close(): Promise<void> };
  placement.close = async () => {
    await Promise.allSettled([...byEnv.values()].map((shared) => shared.close()));
  };
  return placement;
}

/**
 * Adds up the cost agent steps report, and decides whether another rollout may start: not once the budget is
 * spent, and not when the spend so far plus the running rollouts and this one, each at the mean cost of the
 * finished ones, would go over it — so a job stops before it overspends rather than after.
 */
class Budget {
  readonly limit: number;
  total = 0;
  private running = 0;
  private finished = 0;
  private finishedCost = 0;
  private readonly costs = new WeakMap<Run, number>();

  constructor(limit: number) {
    if (!(Number.isFinite(limit) && limit > 0))
      throw new HudError(`budgetUsd must be a positive number (got ${limit})`);
    this.limit = limit;
  }

  get spent(): boolean {
    return this.total >= this.limit;
  }

  /** Whether one more rollout fits (counting it as started when it does). */
  admit(): boolean {
    if (this.spent) return false;
    const mean = this.finished > 0 ? this.finishedCost / this.finished : 0;
    if (this.total + (this.running + 1) * mean > this.limit) return false;
    this.running++;
    return true;
  }

  observing(inner: JobObserver | undefined): JobObserver {
    return {
      jobStarted: inner?.jobStarted?.bind(inner),
      jobFinished: inner?.jobFinished?.bind(inner),
      rolloutStarted: (run) => {
        this.costs.set(run, 0);
        run.trace.onStep((step) => {
          const cost = (step as AgentStep).usage?.cost_usd;
          if (typeof cost !== "number" || !Number.isFinite(cost)) return;
          this.total += cost;
          this.costs.set(run, (this.costs.get(run) ?? 0) + cost);
        });
        return inner?.rolloutStarted?.(run);
      },
      rolloutFinished: (run) => {
        this.running--;
        this.finished++;
        this.finishedCost += this.costs.get(run) ?? 0;
        return inner?.rolloutFinished?.(run);
      },
    };
  }
}

/**
 * Rollouts set up (lease, connect, `tasks.start`) at most `width` at a time, each holding its slot until its
 * agent starts or it ends, but never longer than `holdMs`. When hundreds of rollouts start at once, the first
 * ones reach their agents — and finish — early instead of every setup advancing in lockstep and every grade
 * landing at once; a slow setup (a container booting, a template cloning a repository) lets the next one in
 * after `holdMs`, so it never holds back the others.
 */
export class StartGate {
  private free: number;
  private readonly holdMs: number;
  private readonly waiting: (() => void)[] = [];

  constructor(width: number, holdMs: number) {
    this.free = width;
    this.holdMs = holdMs;
  }

  /** Wait for a slot; the returned function gives it back (calling it again does nothing). */
  async enter(): Promise<() => void> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let held = true;
    const leave = () => {
      if (!held) return;
      held = false;
      clearTimeout(timer);
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    };
    const timer = setTimeout(leave, this.holdMs);
    return leave;
  }
}

/** Setups in progress at once, and how long one may hold its slot (see StartGate). */
const START_WIDTH = 16;
const START_HOLD_MS = 25;

function positiveInteger(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1)
    throw new HudError(`${name} must be a whole number ≥ 1 (got ${value})`);
  return value;
}

/** Run `tasks` with `agent`: one Job (new or given), rollouts in expansion order, failures isolated. */
export async function runTasks(
  name: string,
  tasks: readonly Task[],
  agent: Agent,
  options: RunOptions = {},
): Promise<Job> {
  const group = positiveInteger(options.group ?? options.job?.group, "group", 1);
  const maxConcurrent = positiveInteger(options.maxConcurrent, "maxConcurrent", DEFAULT_MAX_CONCURRENT);
  for (const task of tasks) validateTimeouts(task, agent, options.rolloutTimeout);
  const fallback = options.runtime ? undefined : defaultPlacement(tasks, maxConcurrent);
  const runtime = options.runtime ?? fallback;
  if (!runtime) {
    throw new HudError(
      "no placement: pass { runtime } (e.g. new SubprocessRuntime('env.ts')) — only rows made by live environment templates run without one",
    );
  }
  const job = options.job ?? new Job({ name: options.name ?? defaultJobName(name, tasks, group), group });
  const plan = planRollouts(tasks, group, job.runs);
  const budget = options.budgetUsd === undefined ? undefined : new Budget(options.budgetUsd);
  const observer = budget ? budget.observing(options.observer) : options.observer;
  await observer?.jobStarted?.(job, plan);
  const results: (Run | undefined)[] = new Array(plan.length);
  const gate = new StartGate(START_WIDTH, START_HOLD_MS);
  let next = 0;
  const worker = async () => {
    while (next < plan.length) {
      const leave = await gate.enter();
      if (next >= plan.length || options.signal?.aborted || (budget !== undefined && !budget.admit())) {
        leave();
        return;
      }
      const index = next++;
      const item = plan[index]!;
      try {
        results[index] = await rollout(item.task, agent, {
          runtime,
          jobId: job.id,
          groupId: item.groupId,
          repeat: item.repeat,
          rolloutTimeout: options.rolloutTimeout,
          signal: options.signal,
          observer,
          connect: options.connect,
          onLive: leave,
        });
      } finally {
        leave();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(maxConcurrent, plan.length) }, worker));
  } finally {
    await fallback?.close();
  }
  const rerun = new Set(results.flatMap((run) => (run ? [pairKey(run.slug, run.repeat)] : [])));
  // A cancelled run whose pair ran again is replaced by the new attempt.
  for (let i = job.runs.length - 1; i >= 0; i--) {
    const old = job.runs[i]!;
    if (old.trace.status === "cancelled" && rerun.has(pairKey(old.slug, old.repeat))) job.runs.splice(i, 1);
  }
  for (const run of results) if (run) job.runs.push(run);
  if (budget && next < plan.length && !options.signal?.aborted) {
    job.budgetStop = { budgetUsd: budget.limit, spentUsd: budget.total, notStarted: plan.length - next };
  }
  await observer?.jobFinished?.(job);
  return job;
}
