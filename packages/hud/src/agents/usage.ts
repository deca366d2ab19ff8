// Usage accounting per call → per trace → per job, in the field names of the Python SDK's AgentStep.usage.
//
// Unknown prices are never a silent 0. A call whose model has no price gets no `cost_usd`. When usages are
// added, `cost_usd` is the sum of the priced calls only and `unpriced_calls` counts the others, so a total
// with `unpriced_calls > 0` and a `cost_usd` is partial (a lower bound); with no priced call at all,
// `cost_usd` stays undefined. `unpriced_calls` is ours: write a step's usage with `stepUsage` to keep the
// wire shape the Python SDK expects.
import type { Usage } from "../eval/trace.ts";
import { costOf, type PriceTable, type TokenUsage } from "./models/prices.ts";

export type { Usage } from "../eval/trace.ts";

/** A running total: every count present, cost only when some call was priced. */
export interface UsageTotals extends Usage {
  prompt_tokens: number;
  completion_tokens: number;
  cached_tokens: number;
  llm_call_count: number;
  cost_usd?: number;
  /** Calls whose model had no price; their cost is missing from `cost_usd`. */
  unpriced_calls: number;
}

export function emptyUsage(): UsageTotals {
  return { prompt_tokens: 0, completion_tokens: 0, cached_tokens: 0, llm_call_count: 0, unpriced_calls: 0 };
}

/** The usage of one model call: tokens (cached ones are part of the input) and its cost when priced. */
export function callUsage(model: string, tokens: TokenUsage, table?: PriceTable): Usage {
  const usage: Usage = {
    prompt_tokens: tokens.input_tokens,
    completion_tokens: tokens.output_tokens,
    cached_tokens: tokens.cached_tokens ?? 0,
    llm_call_count: 1,
  };
  const cost = costOf(model, tokens, table);
  if (cost !== undefined) usage.cost_usd = cost;
  return usage;
}

function count(value: number | undefined): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** Calls in `usage` with no known cost: its own count for a total, all its calls for an unpriced step. */
export function unpricedCalls(usage: Usage | UsageTotals): number {
  if ("unpriced_calls" in usage && typeof usage.unpriced_calls === "number") return usage.unpriced_calls;
  if (usage.cost_usd !== undefined) return 0;
  if (usage.llm_call_count !== undefined) return count(usage.llm_call_count);
  return count(usage.prompt_tokens) + count(usage.completion_tokens) > 0 ? 1 : 0;
}

/** The sum of two usages (steps or totals); see the header for how unknown costs add up. */
export function addUsage(a: Usage | UsageTotals, b: Usage | UsageTotals): UsageTotals {
  const sum: UsageTotals = {
    prompt_tokens: count(a.prompt_tokens) + count(b.prompt_tokens),
    completion_tokens: count(a.completion_tokens) + count(b.completion_tokens),
    cached_tokens: count(a.cached_tokens) + count(b.cached_tokens),
    llm_call_count: count(a.llm_call_count) + count(b.llm_call_count),
    unpriced_calls: unpricedCalls(a) + unpricedCalls(b),
  };
  if (a.cost_usd !== undefined || b.cost_usd !== undefined)
    sum.cost_usd = count(a.cost_usd) + count(b.cost_usd);
  return sum;
}

/** True when the total's cost leaves out some calls (a lower bound), false when complete or absent. */
export function isCostPartial(usage: UsageTotals): boolean {
  return usage.cost_usd !== undefined && usage.unpriced_calls > 0;
}

/** A total in the AgentStep.usage shape (without our `unpriced_calls`), for recording on a step. */
export function stepUsage(usage: UsageTotals): Usage {
  const { unpriced_calls: _, ...rest } = usage;
  return rest;
}
