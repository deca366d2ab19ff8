// What the report needs from each rollout, whether it ran here (a live Run) or earlier (a stored trace).
import { isCounted } from "../../eval/job.ts";
import type { Run } from "../../eval/run.ts";
import type { AgentStep, Step } from "../../eval/trace.ts";

export interface RunFacts {
  slug: string;
  repeat: number;
  traceId: string | undefined;
  /** The trace status: completed, error, cancelled (or interrupted, for stored ones). */
  status: string;
  /** Counts toward the mean (the Job.reward rule). */
  counted: boolean;
  reward: number;
  error: string | undefined;
  gradeError: boolean;
  timeout: boolean;
  /** Prompt + completion tokens, when any step reported usage. */
  tokens: number | undefined;
  costUsd: number | undefined;
  seconds: number | undefined;
}

/** From the first step's start to the last step's end, when the steps have timestamps. */
export function stepsSeconds(steps: readonly Step[]): number | undefined {
  if (steps.length === 0) return undefined;
  const first = Date.parse(steps[0]!.started_at ?? steps[0]!.ended_at ?? "");
  const last = Date.parse(steps.at(-1)!.ended_at ?? "");
  return Number.isFinite(first) && Number.isFinite(last) ? Math.max(0, (last - first) / 1000) : undefined;
}

export function stepsUsage(steps: readonly Step[]): {
  tokens: number | undefined;
  costUsd: number | undefined;
} {
  let tokens: number | undefined;
  let costUsd: number | undefined;
  for (const step of steps) {
    const usage = (step as AgentStep).usage;
    if (step.source !== "agent" || !usage) continue;
    if (usage.prompt_tokens !== undefined || usage.completion_tokens !== undefined) {
      tokens = (tokens ?? 0) + (usage.prompt_tokens ?? 0) + (usage.completion_tokens ?? 0);
    }
    if (usage.cost_usd !== undefined) costUsd = (costUsd ?? 0) + usage.cost_usd;
  }
  return { tokens, costUsd };
}

/** Facts of a run; `stored` fills in what a run rebuilt from the store no longer carries (its steps). */
export function runFacts(run: Run, stored: Partial<RunFacts> = {}): RunFacts {
  const steps = run.trace.steps;
  const usage = stepsUsage(steps);
  return {
    slug: run.slug,
    repeat: run.repeat,
    traceId: run.trace_id,
    status: run.trace.status ?? "completed",
    counted: isCounted(run),
    reward: run.reward,
    error: run.trace.error ?? stored.error,
    gradeError: run.grade.isError,
    timeout: run.trace.stop_reason === "timeout",
    tokens: usage.tokens ?? stored.tokens,
    costUsd: usage.costUsd ?? stored.costUsd,
    seconds: stepsSeconds(steps) ?? stored.seconds,
  };
}
