// Retries for model calls: which provider errors are worth another attempt, and exponential backoff with jitter.
//
// Errors are read the way the official SDKs expose them: Anthropic/OpenAI APIError (`status`, `headers`, `type`,
// `code`), their APIConnectionError/APIConnectionTimeoutError, @google/genai ApiError (`status`, a JSON message),
// Node/undici network errors (`code`, also on `cause`). 408/409/429/5xx/529, "overloaded" and network errors
// retry; other 4xx (and OpenAI's 429 insufficient_quota) fail fast with the provider's own error; an aborted
// call stops at once. A server's `x-should-retry` header overrides the status.
import { setTimeout as delay } from "node:timers/promises";
import { errorMessage } from "../protocol/errors.ts";
import type { ConcurrencyLimiter } from "./rate-limiter.ts";

export type RetryReason =
  | "rate_limited"
  | "overloaded"
  | "server_error"
  | "timeout"
  | "conflict"
  | "network"
  | "aborted"
  | "quota"
  | "client_error"
  | "not_retryable";

export interface RetryDecision {
  retry: boolean;
  reason: RetryReason;
  /** A rate-limit or overload signal: the model's concurrency limiter should back off. */
  rateLimited: boolean;
  status?: number;
  /** How long the server asked to wait (`retry-after-ms`, `Retry-After`, Gemini's RetryInfo). */
  retryAfterMs?: number;
}

export interface RetryInfo {
  /** The attempt that failed (1-based). */
  attempt: number;
  delayMs: number;
  error: unknown;
  reason: RetryReason;
}

export interface RetryOptions {
  /** Attempts in all, the first included (default 6). */
  maxAttempts?: number;
  /** No retry starts after this many seconds since the first attempt (default 300). */
  maxElapsedSeconds?: number;
  /** The first backoff ceiling; doubles per attempt (default 500). */
  baseDelayMs?: number;
  /** The largest wait, also for a server's Retry-After (default 30 000). */
  maxDelayMs?: number;
  signal?: AbortSignal;
  onRetry?: (info: RetryInfo) => void;
  /** Each attempt runs in a slot of this limiter, and rate-limit signals cut its limit. */
  limiter?: ConcurrencyLimiter;
  /** Injectable for tests: resolves after `ms`, rejects when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injectable for tests: uniform in [0, 1). */
  random?: () => number;
  /** Injectable for tests: milliseconds since the epoch. */
  now?: () => number;
}

/** The last error of a call that was retried and still failed: its message plus the attempt count. */
export class RetriesExhaustedError extends Error {
  readonly attempts: number;
  readonly status: number | undefined;
  constructor(last: unknown, attempts: number, status: number | undefined, detail?: string) {
    const tail = `after ${attempts} attempt${attempts === 1 ? "" : "s"}${detail ? `; ${detail}` : ""}`;
    super(`${errorMessage(last)} (${tail})`, { cause: last });
    this.name = "RetriesExhaustedError";
    this.attempts = attempts;
    this.status = status;
  }
}

const RETRYABLE = new Set<RetryReason>([
  "rate_limited",
  "overloaded",
  "server_error",
  "timeout",
  "conflict",
  "network",
]);

/** Node and undici network failure codes worth another attempt (ENOTFOUND is a wrong host: fail fast). */
const NETWORK_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "ETIMEDOUT",
  "EPIPE",
  "EAI_AGAIN",
  "ENETUNREACH",
  "ENETDOWN",
  "EHOSTUNREACH",
]);
/** undici codes that are not transient. */
const UNDICI_PERMANENT = new Set([
  "UND_ERR_ABORTED",
  "UND_ERR_INVALID_ARG",
  "UND_ERR_INVALID_RETURN_VALUE",
  "UND_ERR_NOT_SUPPORTED",
  "UND_ERR_REQ_CONTENT_LENGTH_MISMATCH",
  "UND_ERR_RES_EXCEEDED_MAX_SIZE",
]);

type Fields = {
  name?: unknown;
  message?: unknown;
  status?: unknown;
  headers?: unknown;
  type?: unknown;
  code?: unknown;
  cause?: unknown;
  error?: unknown;
};

function fields(error: unknown): Fields {
  return typeof error === "object" && error !== null ? (error as Fields) : {};
}

/** The error's own name and its class's (OpenAI's error classes do not set `name`). */
function names(error: unknown): string[] {
  const own = fields(error).name;
  const ctor = (error as { constructor?: { name?: unknown } } | null)?.constructor?.name;
  return [own, ctor].filter((n): n is string => typeof n === "string");
}

/** The error and its causes, outermost first (bounded: cause chains can loop). */
function chain(error: unknown): unknown[] {
  const out: unknown[] = [];
  for (let at: unknown = error; at !== undefined && at !== null && out.length < 6; at = fields(at).cause) {
    if (out.includes(at)) break;
    out.push(at);
  }
  return out;
}

function header(headers: unknown, name: string): string | undefined {
  if (typeof headers !== "object" || headers === null) return undefined;
  const get = (headers as { get?: unknown }).get;
  if (typeof get === "function") {
    const value: unknown = get.call(headers, name);
    return typeof value === "string" ? value : undefined;
  }
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== name) continue;
    const first: unknown = Array.isArray(value) ? value[0] : value;
    return typeof first === "string" ? first : typeof first === "number" ? String(first) : undefined;
  }
  return undefined;
}

/** Milliseconds the server asked to wait; only positive, parseable values count. */
function retryAfterOf(error: unknown, now: number): number | undefined {
  const { headers, message } = fields(error);
  const positive = (ms: number) => (Number.isFinite(ms) && ms > 0 ? ms : undefined);
  const ms = header(headers, "retry-after-ms");
  if (ms !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return positive(Number.parseFloat(ms));
  const after = header(headers, "retry-after");
  if (after !== undefined) {
    if (/^\s*\d+(\.\d+)?\s*$/.test(after)) return positive(Number.parseFloat(after) * 1000);
    const date = Date.parse(after);
    if (!Number.isNaN(date)) return positive(date - now);
  }
  // @google/genai carries no headers; a 429's JSON body may hold RetryInfo {"retryDelay": "23s"}.
  const delayMatch =
    typeof message === "string" ? /"retryDelay"\s*:\s*"(\d+(?:\.\d+)?)s"/.exec(message) : null;
  return delayMatch ? positive(Number.parseFloat(delayMatch[1]!) * 1000) : undefined;
}

function isAbort(error: unknown): boolean {
  return chain(error).some((e) => {
    const n = names(e);
    const code = fields(e).code;
    return (
      n.includes("AbortError") ||
      n.includes("APIUserAbortError") ||
      code === "ABORT_ERR" ||
      code === "UND_ERR_ABORTED"
    );
  });
}

function isNetwork(error: unknown): boolean {
  const [outer] = chain(error);
  const n = names(outer);
  if (n.includes("APIConnectionError") || n.includes("APIConnectionTimeoutError")) return true;
  if (outer instanceof TypeError && /fetch failed|terminated/i.test(outer.message)) return true;
  return chain(error).some((e) => {
    const code = fields(e).code;
    return (
      typeof code === "string" &&
      (NETWORK_CODES.has(code) || (code.startsWith("UND_ERR_") && !UNDICI_PERMANENT.has(code)))
    );
  });
}

/** The provider's words for the failure: Anthropic `type`, OpenAI `code`/`type`, the body, the message. */
function words(error: unknown): string {
  const { type, code, error: body, message } = fields(error);
  let json: string | undefined;
  try {
    json = JSON.stringify(body ?? null);
  } catch {
    json = undefined; // a body that is not JSON (cyclic, BigInt) has no words to read
  }
  return [type, code, json, message].filter((w) => typeof w === "string").join(" ");
}

function reasonOf(error: unknown, status: number | undefined): RetryReason {
  const text = words(error);
  const overloaded = /overloaded/i.test(text);
  if (status !== undefined) {
    if (status === 429) return /insufficient_quota/.test(text) ? "quota" : "rate_limited";
    if (status === 529 || (status >= 500 && overloaded)) return "overloaded";
    if (status >= 500) return "server_error";
    if (status === 408) return "timeout";
    if (status === 409) return "conflict";
    return "client_error";
  }
  // No status: an error event inside a stream (its body names the kind), or a transport failure.
  if (overloaded) return "overloaded";
  if (/insufficient_quota/.test(text)) return "quota";
  if (/rate_limit|RESOURCE_EXHAUSTED/.test(text)) return "rate_limited";
  if (/\b(api_error|server_error|internal_error)\b/.test(text)) return "server_error";
  if (names(error).includes("APIConnectionTimeoutError")) return "timeout";
  if (isNetwork(error)) return "network";
  return "not_retryable";
}

/** Whether (and why) a failed model call is worth another attempt. */
export function retryDecision(error: unknown, now: number = Date.now()): RetryDecision {
  if (isAbort(error)) return { retry: false, reason: "aborted", rateLimited: false };
  const raw = fields(error).status;
  const status = typeof raw === "number" && raw >= 100 && raw < 600 ? raw : undefined;
  const reason = reasonOf(error, status);
  const told = header(fields(error).headers, "x-should-retry");
  const retry = told === "true" ? true : told === "false" ? false : RETRYABLE.has(reason);
  const decision: RetryDecision = {
    retry,
    reason,
    rateLimited: reason === "rate_limited" || reason === "overloaded",
  };
  if (status !== undefined) decision.status = status;
  const retryAfterMs = retryAfterOf(error, now);
  if (retryAfterMs !== undefined) decision.retryAfterMs = retryAfterMs;
  return decision;
}

async function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  await delay(ms, undefined, signal ? { signal } : undefined);
}

function seconds(ms: number): string {
  return `${Math.max(0, Math.ceil(ms / 1000))}s`;
}

/**
 * Call `attempt(1)`, `attempt(2)`, … until one succeeds, an error is not retryable (thrown as is), the
 * attempts or the time budget run out (a RetriesExhaustedError with the last error as cause), or `signal`
 * aborts (its reason is thrown). Waits are full-jitter exponential — uniform in [0, min(max, base·2ⁿ⁻¹)) —
 * unless the server said how long to wait, capped by `maxDelayMs`; a server wait beyond the remaining
 * budget gives up at once.
 */
export async function withRetries<T>(
  attempt: (n: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const maxAttempts = Math.max(1, Math.floor(options.maxAttempts ?? 6));
  const budgetSeconds = options.maxElapsedSeconds ?? 300;
  const baseDelayMs = options.baseDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  const { signal, onRetry, limiter } = options;
  const sleep = options.sleep ?? sleepFor;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const started = now();
  for (let n = 1; ; n++) {
    signal?.throwIfAborted();
    let generation = 0;
    try {
      if (!limiter) return await attempt(n);
      return await limiter.run(() => {
        generation = limiter.generation;
        return attempt(n);
      }, signal);
    } catch (error) {
      signal?.throwIfAborted();
      const decision = retryDecision(error, now());
      if (decision.rateLimited) limiter?.backOff(generation);
      if (!decision.retry) throw error;
      if (n >= maxAttempts) throw new RetriesExhaustedError(error, n, decision.status);
      const left = budgetSeconds * 1000 - (now() - started);
      let wait: number;
      if (decision.retryAfterMs !== undefined) {
        if (decision.retryAfterMs > left)
          throw new RetriesExhaustedError(
            error,
            n,
            decision.status,
            `the server asked to wait ${seconds(decision.retryAfterMs)}, more than the ${seconds(left)} left of the ${budgetSeconds}s retry budget`,
          );
        wait = Math.min(decision.retryAfterMs, maxDelayMs);
      } else {
        wait = Math.floor(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (n - 1)));
        if (left <= 0 || wait > left)
          throw new RetriesExhaustedError(
            error,
            n,
            decision.status,
            `the ${budgetSeconds}s retry budget is spent`,
          );
      }
      onRetry?.({ attempt: n, delayMs: wait, error, reason: decision.reason });
      try {
        await sleep(wait, signal);
      } catch (sleepError) {
        signal?.throwIfAborted();
        throw sleepError;
      }
    }
  }
}
