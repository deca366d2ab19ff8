// Usage per call → per trace → per job: token sums, and costs that stay honest about unpriced calls.
import { describe, expect, it } from "vitest";
import { addUsage, callUsage, emptyUsage, isCostPartial, stepUsage, unpricedCalls } from "./usage.ts";

describe("usage accounting", () => {
  it("records one call's tokens and cost in AgentStep.usage field names", () => {
    expect(callUsage("gpt-5", { input_tokens: 10_000, output_tokens: 1000, cached_tokens: 8000 })).toEqual({
      prompt_tokens: 10_000,
      completion_tokens: 1000,
      cached_tokens: 8000,
      cost_usd: expect.closeTo((2000 * 1.25 + 8000 * 0.125 + 1000 * 10) / 1e6, 12),
      llm_call_count: 1,
    });
    expect(callUsage("my-finetune", { input_tokens: 5, output_tokens: 6 })).toEqual({
      prompt_tokens: 5,
      completion_tokens: 6,
      cached_tokens: 0,
      llm_call_count: 1,
    });
  });

  it("adds priced calls into a complete total", () => {
    const a = callUsage("gpt-5", { input_tokens: 1e6, output_tokens: 0 });
    const b = callUsage("gpt-5-mini", { input_tokens: 0, output_tokens: 1e6, cached_tokens: 0 });
    const total = addUsage(addUsage(emptyUsage(), a), b);
    expect(total).toEqual({
      prompt_tokens: 1e6,
      completion_tokens: 1e6,
      cached_tokens: 0,
      cost_usd: 3.25,
      llm_call_count: 2,
      unpriced_calls: 0,
    });
    expect(isCostPartial(total)).toBe(false);
  });

  it("keeps a known + unknown total partial: the known cost plus a count of unpriced calls", () => {
    const priced = callUsage("gpt-5", { input_tokens: 1e6, output_tokens: 0 });
    const unpriced = callUsage("my-finetune", { input_tokens: 100, output_tokens: 50 });
    const trace = addUsage(priced, unpriced);
    expect(trace).toMatchObject({
      cost_usd: 1.25,
      llm_call_count: 2,
      unpriced_calls: 1,
      prompt_tokens: 1_000_100,
    });
    expect(isCostPartial(trace)).toBe(true);
    // Totals add into a job total without losing the count.
    const job = addUsage(trace, addUsage(unpriced, unpriced));
    expect(job).toMatchObject({ cost_usd: 1.25, llm_call_count: 4, unpriced_calls: 3 });
  });

  it("leaves the cost undefined (not 0) when no call was priced", () => {
    const unpriced = callUsage("my-finetune", { input_tokens: 100, output_tokens: 50 });
    const total = addUsage(emptyUsage(), addUsage(unpriced, unpriced));
    expect(total.cost_usd).toBeUndefined();
    expect(total.unpriced_calls).toBe(2);
    expect(isCostPartial(total)).toBe(false);
    expect(emptyUsage().cost_usd).toBeUndefined();
  });

  it("reads step usages recorded elsewhere (missing counts, multi-call steps) sensibly", () => {
    expect(unpricedCalls({ prompt_tokens: 3 })).toBe(1);
    expect(unpricedCalls({ llm_call_count: 2 })).toBe(2);
    expect(unpricedCalls({ prompt_tokens: 3, cost_usd: 0.1 })).toBe(0);
    expect(unpricedCalls({})).toBe(0);
    expect(addUsage({ prompt_tokens: 1, cost_usd: 0.5 }, {})).toEqual({
      prompt_tokens: 1,
      completion_tokens: 0,
      cached_tokens: 0,
      cost_usd: 0.5,
      llm_call_count: 0,
      unpriced_calls: 0,
    });
  });

  it("writes a total back in the step's wire shape", () => {
    const total = addUsage(callUsage("gpt-5", { input_tokens: 10, output_tokens: 1 }), emptyUsage());
    expect(Object.keys(stepUsage(total)).sort()).toEqual([
      "cached_tokens",
      "completion_tokens",
      "cost_usd",
      "llm_call_count",
      "prompt_tokens",
    ]);
  });
});
