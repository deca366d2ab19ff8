// Token and cost totals of a trace: the sum of its agent steps' `usage`.
import type { AgentStep, Step } from "../eval/trace.ts";
import type { TraceTotals } from "./records.ts";

const KEYS = ["prompt_tokens", "completion_tokens", "cached_tokens", "cost_usd", "llm_call_count"] as const;

export function traceTotals(steps: readonly Step[]): TraceTotals {
  const totals: TraceTotals = {
    prompt_tokens: 0,
    completion_tokens: 0,
    cached_tokens: 0,
    cost_usd: 0,
    llm_call_count: 0,
  };
  for (const step of steps) {
    if (step.source !== "agent") continue;
    const usage = (step as AgentStep).usage;
    if (!usage) continue;
    for (const key of KEYS) {
      const value = usage[key];
      if (typeof value === "number" && Number.isFinite(value)) totals[key] += value;
    }
  }
  return totals;
}
