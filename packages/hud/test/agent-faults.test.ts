// Provider faults through a model agent and the real SDKs: Retry-After is honoured, a 401 fails at once with the
// provider's message, and 200 concurrent rollouts against a fake that rate-limits above 20 concurrent requests
// all finish (retries with backoff, and the per-model AIMD limiter backing off).
import { describe, expect, it } from "vitest";
import { count, env as quickstart } from "../../../examples/quickstart/env.ts";
import { createAgent } from "../src/agents/create-agent.ts";
import { LocalRuntime } from "../src/runtime/local.ts";
import { Shared } from "../src/runtime/shared.ts";
import type { FakeConversation, FakeReply } from "../src/testing/index.ts";
import { letterCount, textOf, useFakeModelServer } from "./support/fake-model.ts";

const startServer = useFakeModelServer();

/** The right count for the quickstart prompt. */
const answer = (c: FakeConversation): FakeReply => ({ text: letterCount(textOf(c)) ?? "?" });

const task = count({ word: "strawberry", letter: "r" });

describe("provider faults", () => {
  it("honours Retry-After: three 429s of 1 s, then success", { timeout: 60_000 }, async () => {
    let calls = 0;
    const server = await startServer({
      policy: (c) => (++calls <= 3 ? { fault: 429, retryAfter: 1, message: "slow down" } : answer(c)),
    });
    const agent = createAgent("claude-haiku-4-5", { apiKey: "test", baseURL: server.anthropicBaseURL });
    const started = performance.now();
    const job = await task.run(agent, { runtime: new LocalRuntime(quickstart) });
    const waited = performance.now() - started;
    expect(job.reward).toBe(1);
    expect(job.errors).toHaveLength(0);
    expect(calls).toBe(4);
    expect(waited).toBeGreaterThanOrEqual(3000);
  });

  it("fails a 401 at once with the provider's message", { timeout: 30_000 }, async () => {
    let calls = 0;
    const server = await startServer({
      policy: () => {
        calls++;
        return { fault: 401, message: "invalid x-api-key" };
      },
    });
    const agent = createAgent("gpt-5", { apiKey: "wrong", baseURL: server.openaiBaseURL });
    const started = performance.now();
    const job = await task.run(agent, { runtime: new LocalRuntime(quickstart) });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(calls).toBe(1);
    const [run] = job.runs;
    expect(run!.reward).toBe(0);
    expect(run!.trace.status).toBe("error");
    const errors = run!.trace.steps.filter((s) => s.error).map((s) => s.error!);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/401/);
    expect(errors[0]).toContain("invalid x-api-key");
  });

  it("finishes 200 concurrent rollouts against a fake that rate-limits above 20 concurrent requests", {
    timeout: 180_000,
  }, async () => {
    let inFlight = 0;
    let peak = 0;
    let limited = 0;
    const server = await startServer({
      policy: async (c) => {
        if (inFlight >= 20) {
          limited++;
          return { fault: 429, message: "too many concurrent requests" };
        }
        inFlight++;
        peak = Math.max(peak, inFlight);
        try {
          await new Promise((resolve) => setTimeout(resolve, 150));
          return answer(c);
        } finally {
          inFlight--;
        }
      },
    });
    const agent = createAgent("gemini-2.5-flash", { apiKey: "test", baseURL: server.geminiBaseURL });
    // One started environment shared by every rollout (a bare LocalRuntime serves its environment one lease at a time).
    const shared = new Shared(new LocalRuntime(quickstart), { width: 200 });
    const job = await task
      .run(agent, { runtime: shared, group: 200, maxConcurrent: 200 })
      .finally(() => shared.close());
    expect(job.runs).toHaveLength(200);
    expect(job.errors.map((r) => r.trace.error)).toEqual([]);
    expect(job.reward).toBe(1);
    expect(peak).toBeLessThanOrEqual(20);
    expect(limited).toBeGreaterThan(0);
  });
});
