// One provider call under the shared policy: a per-model concurrency slot (AIMD), retries with backoff and
// jitter honouring Retry-After, and fail-fast on errors a retry cannot fix. SDK clients run with maxRetries 0 so
// this is the only retry loop.
import { limiterFor } from "../rate-limiter.ts";
import { type RetryOptions, withRetries } from "../retry.ts";

export interface ModelCallContext {
  provider: string;
  model: string;
  signal?: AbortSignal;
  /** Overrides of the retry policy (attempts, elapsed budget, delays). */
  retry?: Omit<RetryOptions, "signal" | "limiter">;
}

/** Run `attempt` (called again for each retry with its 1-based number) under the shared retry policy. */
export function callModel<T>(ctx: ModelCallContext, attempt: (n: number) => Promise<T>): Promise<T> {
  return withRetries(attempt, {
    ...ctx.retry,
    signal: ctx.signal,
    limiter: limiterFor(`${ctx.provider}:${ctx.model}`),
  });
}
