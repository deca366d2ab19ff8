// The numbers an evaluation ends with, computed from its runs: per task, overall with a 95% interval, errors, usage.
import type { RunFacts } from "./run-facts.ts";

/**
 * A run "succeeds" when it earns full marks (reward ≥ 1). The Python CLI counts reward > 0.7; full marks is
 * the same for pass/fail graders and does not pretend a partial score is a solve.
 */
export const SUCCESS_REWARD = 1;

export interface TaskStats {
  slug: string;
  /** Mean over the runs that count (the Job.reward rule); null when none does. */
  reward: number | null;
  /** Population standard deviation across the group's counted runs. */
  std: number | null;
  /** Per repeat, in repeat order; null for a run that does not count (errored, ungraded, cancelled). */
  rewards: (number | null)[];
  runs: number;
}

export interface EvalStats {
  /** Finished runs: completed or errored (cancelled ones are counted apart). */
  runs: number;
  counted: number;
  reward: number;
  ci95: [number, number];
  successRate: number;
  /** Runs whose trace errored. */
  errors: number;
  /** Errors by kind: the `[phase]` of the error, `grade`, `timeout`, or `other`. */
  errorsByKind: Record<string, number>;
  cancelled: number;
  tasks: TaskStats[];
  /** Prompt + completion tokens over every agent step; null when no step reported usage. */
  tokens: number | null;
  costUsd: number | null;
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

function variance(values: readonly number[], ddof: number): number {
  if (values.length - ddof <= 0) return 0;
  const m = mean(values);
  return values.reduce((sum, v) => sum + (v - m) ** 2, 0) / (values.length - ddof);
}

/** Two-sided 97.5% quantiles of Student's t for 1..30 degrees of freedom. */
const T975 = [
  12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131,
  2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042,
];

/** t(0.975, df): the table up to 30, then the Cornish–Fisher expansion around z = 1.96 (error < 1e-3). */
export function tQuantile975(df: number): number {
  if (df <= 30) return T975[Math.max(1, Math.floor(df)) - 1]!;
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
}

/**
 * 95% confidence interval of the mean, t-based (Student's t with n−1 degrees of freedom and the sample
 * standard deviation): small groups are the norm here, where the normal interval is too narrow. With fewer
 * than two values there is no spread to measure and the interval is the mean itself.
 */
export function confidence95(values: readonly number[]): [number, number] {
  const m = mean(values);
  if (values.length < 2) return [m, m];
  const half = (tQuantile975(values.length - 1) * Math.sqrt(variance(values, 1))) / Math.sqrt(values.length);
  return [m - half, m + half];
}

/** The kind of a run's error: the `[phase]` prefix rollouts write, else what else is known about it. */
export function errorKind(run: Pick<RunFacts, "error" | "gradeError" | "timeout">): string {
  const phase = /^\[([^\]]+)\]/.exec(run.error ?? "");
  if (phase) return phase[1]!;
  if (run.gradeError) return "grade";
  if (run.timeout) return "timeout";
  return "other";
}

function sum(values: (number | undefined)[]): number | null {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length === 0 ? null : known.reduce((a, b) => a + b, 0);
}

/** Stats over `runs`; tasks come in `order` (slugs) first, then any others in order of appearance. */
export function evalStats(runs: readonly RunFacts[], order: readonly string[] = []): EvalStats {
  const finished = runs.filter((run) => run.status === "completed" || run.status === "error");
  const counted = finished.filter((run) => run.counted);
  const rewards = counted.map((run) => run.reward);
  const errored = finished.filter((run) => run.status === "error");
  const errorsByKind: Record<string, number> = {};
  for (const run of errored) errorsByKind[errorKind(run)] = (errorsByKind[errorKind(run)] ?? 0) + 1;
  const slugs = [...new Set([...order, ...runs.map((run) => run.slug)])];
  const tasks = slugs.flatMap((slug): TaskStats[] => {
    const group = finished.filter((run) => run.slug === slug).sort((a, b) => a.repeat - b.repeat);
    if (group.length === 0) return [];
    const values = group.filter((run) => run.counted).map((run) => run.reward);
    return [
      {
        slug,
        reward: values.length === 0 ? null : mean(values),
        std: values.length === 0 ? null : Math.sqrt(variance(values, 0)),
        rewards: group.map((run) => (run.counted ? run.reward : null)),
        runs: group.length,
      },
    ];
  });
  const solved = finished.filter((run) => run.counted && run.reward >= SUCCESS_REWARD).length;
  return {
    runs: finished.length,
    counted: counted.length,
    reward: mean(rewards),
    ci95: confidence95(rewards),
    successRate: finished.length === 0 ? 0 : solved / finished.length,
    errors: errored.length,
    errorsByKind,
    cancelled: runs.length - finished.length,
    tasks,
    tokens: sum(finished.map((run) => run.tokens)),
    costUsd: sum(finished.map((run) => run.costUsd)),
  };
}
