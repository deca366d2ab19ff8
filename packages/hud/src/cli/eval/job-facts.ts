// Facts for every run of a job; runs rebuilt from the store (no steps in memory) are completed from their stored trace.
import type { Job } from "../../eval/job.ts";
import type { LocalStore } from "../../store/local-store.ts";
import { type RunFacts, runFacts, stepsSeconds } from "./run-facts.ts";

export function jobFacts(job: Job, store: LocalStore): RunFacts[] {
  return job.runs.map((run) => {
    if (run.trace.steps.length > 0 || run.trace_id === undefined) return runFacts(run);
    const stored = store.trace(run.trace_id);
    const totals = stored.totals;
    return runFacts(run, {
      error: stored.error ?? undefined,
      tokens: totals.prompt_tokens + totals.completion_tokens || undefined,
      costUsd: totals.cost_usd || undefined,
      seconds: stepsSeconds(stored.steps),
    });
  });
}
