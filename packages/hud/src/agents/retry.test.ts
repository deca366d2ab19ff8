// Retry decisions on the official SDKs' real error objects, and the backoff loop (injected clock, no real waits).
import Anthropic from "@anthropic-ai/sdk";
import { ApiError } from "@google/genai";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { ConcurrencyLimiter } from "./rate-limiter.ts";
import {
  RetriesExhaustedError,
  type RetryInfo,
  type RetryOptions,
  retryDecision,
  withRetries,
} from "./retry.ts";

const anthropicBody = (type: string, message: string) => ({ type: "error", error: { type, message } });
const anthropic = (status: number, type = "api_error", headers: Record<string, string> = {}) =>
  Anthropic.APIError.generate(
    status,
    anthropicBody(type, `${type} happened`),
    undefined,
    new Headers(headers),
  );
const openai = (status: number, code: string | null = null, headers: Record<string, string> = {}) =>
  OpenAI.APIError.generate(
    status,
    { error: { message: `openai says ${status}`, type: code ?? "invalid_request_error", code } },
    undefined,
    new Headers(headers),
  );
const gemini = (status: number, grpc: string, message: string, details: unknown[] = []) =>
  new ApiError({
    status,
    message: JSON.stringify({ error: { code: status, message, status: grpc, details } }),
  });
const systemError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:443`), { code });

/** A fake clock that sleeping advances, and a record of the waits. */
function clock(start = 1_000_000) {
  const state = { now: start, waits: [] as number[] };
  const options: Pick<RetryOptions, "now" | "sleep"> = {
    now: () => state.now,
    sleep: async (ms) => {
      state.waits.push(ms);
      state.now += ms;
    },
  };
  return { state, options };
}

/** An attempt function that throws the given errors in turn, then returns "ok". */
function failing(...errors: unknown[]) {
  const calls: number[] = [];
  const attempt = async (n: number) => {
    calls.push(n);
    const error = errors[n - 1];
    if (error !== undefined) throw error;
    return "ok";
  };
  return { attempt, calls };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

describe("retryDecision", () => {
  it("retries Anthropic rate limits, overloads, timeouts, conflicts and server errors; fails fast on 4xx", () => {
    expect(anthropic(429, "rate_limit_error")).toBeInstanceOf(Anthropic.RateLimitError);
    expect(anthropic(529, "overloaded_error")).toBeInstanceOf(Anthropic.OverloadedError);
    const cases: [unknown, boolean, string, boolean][] = [
      [anthropic(429, "rate_limit_error"), true, "rate_limited", true],
      [anthropic(529, "overloaded_error"), true, "overloaded", true],
      [anthropic(500), true, "server_error", false],
      [anthropic(503), true, "server_error", false],
      [anthropic(408, "timeout_error"), true, "timeout", false],
      [anthropic(409), true, "conflict", false],
      [anthropic(400, "invalid_request_error"), false, "client_error", false],
      [anthropic(401, "authentication_error"), false, "client_error", false],
      [anthropic(403, "permission_error"), false, "client_error", false],
      [anthropic(404, "not_found_error"), false, "client_error", false],
      [anthropic(422), false, "client_error", false],
      // An `error` event inside a stream: no status, the body names the kind.
      [
        new Anthropic.APIError(
          undefined,
          anthropicBody("overloaded_error", "Overloaded"),
          undefined,
          new Headers(),
        ),
        true,
        "overloaded",
        true,
      ],
      [
        new Anthropic.APIError(undefined, anthropicBody("api_error", "Internal"), undefined, new Headers()),
        true,
        "server_error",
        false,
      ],
      [new Anthropic.APIConnectionError({ cause: systemError("ECONNRESET") }), true, "network", false],
      [new Anthropic.APIConnectionTimeoutError(), true, "timeout", false],
      [new Anthropic.APIUserAbortError(), false, "aborted", false],
    ];
    for (const [error, retry, reason, rateLimited] of cases) {
      expect(retryDecision(error), (error as Error).message).toMatchObject({ retry, reason, rateLimited });
    }
    expect(retryDecision(anthropic(529, "overloaded_error")).status).toBe(529);
  });

  it("retries OpenAI rate limits and server errors, but not an exhausted quota or client errors", () => {
    expect(openai(429, "rate_limit_exceeded")).toBeInstanceOf(OpenAI.RateLimitError);
    const cases: [unknown, boolean, string][] = [
      [openai(429, "rate_limit_exceeded"), true, "rate_limited"],
      [openai(429, "insufficient_quota"), false, "quota"],
      [openai(500, "server_error"), true, "server_error"],
      [openai(502), true, "server_error"],
      [openai(400), false, "client_error"],
      [openai(401, "invalid_api_key"), false, "client_error"],
      [openai(404, "model_not_found"), false, "client_error"],
      [openai(422), false, "client_error"],
      [
        new OpenAI.APIError(undefined, { message: "boom", type: "server_error" }, undefined, undefined),
        true,
        "server_error",
      ],
      [new OpenAI.APIConnectionError({ cause: systemError("ECONNREFUSED") }), true, "network"],
      [new OpenAI.APIConnectionTimeoutError(), true, "timeout"],
      [new OpenAI.APIUserAbortError(), false, "aborted"],
    ];
    for (const [error, retry, reason] of cases) {
      expect(retryDecision(error), (error as Error).message).toMatchObject({ retry, reason });
    }
  });

  it("reads @google/genai ApiError statuses, overload messages and RetryInfo delays", () => {
    const exhausted = gemini(429, "RESOURCE_EXHAUSTED", "Quota exceeded for requests per minute", [
      { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "23s" },
    ]);
    expect(retryDecision(exhausted)).toEqual({
      retry: true,
      reason: "rate_limited",
      rateLimited: true,
      status: 429,
      retryAfterMs: 23_000,
    });
    expect(
      retryDecision(gemini(503, "UNAVAILABLE", "The model is overloaded. Please try again later.")),
    ).toMatchObject({ retry: true, reason: "overloaded", rateLimited: true });
    expect(retryDecision(gemini(500, "INTERNAL", "Internal error"))).toMatchObject({
      retry: true,
      rateLimited: false,
    });
    expect(retryDecision(gemini(400, "INVALID_ARGUMENT", "bad schema"))).toMatchObject({ retry: false });
    expect(retryDecision(gemini(404, "NOT_FOUND", "models/x is not found"))).toMatchObject({ retry: false });
  });

  it("retries transient network failures, not a wrong host, plain bugs or aborts", async () => {
    // A real fetch to a closed port: TypeError "fetch failed" whose cause is ECONNREFUSED.
    const refused = await rejection(fetch("http://127.0.0.1:1/"));
    expect(refused).toBeInstanceOf(TypeError);
    expect(retryDecision(refused)).toMatchObject({ retry: true, reason: "network" });
    for (const code of [
      "ECONNRESET",
      "ECONNREFUSED",
      "ETIMEDOUT",
      "EPIPE",
      "UND_ERR_SOCKET",
      "UND_ERR_CONNECT_TIMEOUT",
    ])
      expect(retryDecision(systemError(code)), code).toMatchObject({ retry: true, reason: "network" });
    const terminated = new TypeError("terminated", { cause: systemError("UND_ERR_SOCKET") });
    expect(retryDecision(terminated)).toMatchObject({ retry: true, reason: "network" });
    expect(retryDecision(systemError("ENOTFOUND"))).toMatchObject({ retry: false });
    expect(retryDecision(new Error("undefined is not a function"))).toMatchObject({
      retry: false,
      reason: "not_retryable",
    });
    expect(retryDecision(new DOMException("aborted", "AbortError"))).toMatchObject({
      retry: false,
      reason: "aborted",
    });
    expect(retryDecision("a string")).toMatchObject({ retry: false });
    expect(retryDecision(null)).toMatchObject({ retry: false });
  });

  it("obeys the server's x-should-retry header over the status", () => {
    expect(retryDecision(anthropic(400, "invalid_request_error", { "x-should-retry": "true" })).retry).toBe(
      true,
    );
    expect(retryDecision(openai(500, "server_error", { "x-should-retry": "false" })).retry).toBe(false);
  });

  it("reads Retry-After as seconds or an HTTP date, and retry-after-ms first; headers may be a plain record", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryDecision(anthropic(429, "rate_limit_error", { "retry-after": "7" }), now).retryAfterMs).toBe(
      7000,
    );
    const date = new Date(now + 12_000).toUTCString();
    expect(retryDecision(openai(429, "rate_limit_exceeded", { "retry-after": date }), now).retryAfterMs).toBe(
      12_000,
    );
    const both = openai(429, "rate_limit_exceeded", { "retry-after": "7", "retry-after-ms": "1500" });
    expect(retryDecision(both, now).retryAfterMs).toBe(1500);
    expect(
      retryDecision(anthropic(429, "rate_limit_error", { "retry-after": "garbage" }), now).retryAfterMs,
    ).toBe(undefined);
    const record = Object.assign(new Error("429 slow down"), {
      status: 429,
      headers: { "Retry-After": "3" },
    });
    expect(retryDecision(record, now)).toMatchObject({ retry: true, retryAfterMs: 3000 });
  });
});

describe("withRetries", () => {
  it("returns the first success, reporting each retry", async () => {
    const { state, options } = clock();
    const { attempt, calls } = failing(anthropic(529, "overloaded_error"), openai(500, "server_error"));
    const infos: RetryInfo[] = [];
    const value = await withRetries(attempt, {
      ...options,
      random: () => 0.5,
      onRetry: (i) => infos.push(i),
    });
    expect(value).toBe("ok");
    expect(calls).toEqual([1, 2, 3]);
    expect(state.waits).toEqual([250, 500]);
    expect(infos.map((i) => [i.attempt, i.delayMs, i.reason])).toEqual([
      [1, 250, "overloaded"],
      [2, 500, "server_error"],
    ]);
  });

  it("fails fast with the provider's own error on a non-retryable status", async () => {
    const { state, options } = clock();
    const denied = anthropic(401, "authentication_error");
    const { attempt, calls } = failing(denied);
    expect(await rejection(withRetries(attempt, options))).toBe(denied);
    expect(calls).toEqual([1]);
    expect(state.waits).toEqual([]);
  });

  it("gives up after maxAttempts with the last error's message, the attempt count, cause and status", async () => {
    const { options } = clock();
    const errors = [1, 2, 3].map(() => anthropic(529, "overloaded_error"));
    const { attempt, calls } = failing(...errors);
    const error = await rejection(withRetries(attempt, { ...options, maxAttempts: 3 }));
    expect(calls).toEqual([1, 2, 3]);
    expect(error).toBeInstanceOf(RetriesExhaustedError);
    expect(error.message).toBe(`${errors[2]!.message} (after 3 attempts)`);
    expect(error.cause).toBe(errors[2]);
    expect((error as RetriesExhaustedError).status).toBe(529);
    expect((error as RetriesExhaustedError).attempts).toBe(3);
  });

  it("draws full-jitter waits below an exponential ceiling capped at maxDelayMs", async () => {
    const many = () => failing(...Array.from({ length: 8 }, () => openai(503)));
    const top = clock();
    await rejection(
      withRetries(many().attempt, {
        ...top.options,
        maxAttempts: 8,
        random: () => 0.999999,
        maxDelayMs: 10_000,
      }),
    );
    expect(top.state.waits).toEqual([499, 999, 1999, 3999, 7999, 9999, 9999]);
    const bottom = clock();
    await rejection(withRetries(many().attempt, { ...bottom.options, maxAttempts: 8, random: () => 0 }));
    expect(bottom.state.waits).toEqual([0, 0, 0, 0, 0, 0, 0]);
    const seeded = clock();
    let seed = 7;
    const random = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    await rejection(
      withRetries(many().attempt, { ...seeded.options, maxAttempts: 8, random, baseDelayMs: 100 }),
    );
    seeded.state.waits.forEach((wait, i) => {
      expect(wait).toBeGreaterThanOrEqual(0);
      expect(wait).toBeLessThan(Math.min(30_000, 100 * 2 ** i));
    });
  });

  it("waits what Retry-After (seconds, date) or retry-after-ms asks, capped by maxDelayMs", async () => {
    const { state, options } = clock(Date.parse("2026-01-01T00:00:00Z"));
    // The second failure comes after the first 7 s wait: its date is 4 s after that.
    const date = new Date(state.now + 7000 + 4000).toUTCString();
    const { attempt } = failing(
      anthropic(429, "rate_limit_error", { "retry-after": "7" }),
      openai(429, "rate_limit_exceeded", { "retry-after": date }),
      openai(429, "rate_limit_exceeded", { "retry-after-ms": "1500", "retry-after": "9" }),
      anthropic(429, "rate_limit_error", { "retry-after": "120" }),
    );
    expect(await withRetries(attempt, { ...options, random: () => 0.5 })).toBe("ok");
    expect(state.waits).toEqual([7000, 4000, 1500, 30_000]);
  });

  it("gives up at once, saying so, when the server asks to wait beyond the remaining budget", async () => {
    const { state, options } = clock();
    const { attempt, calls } = failing(anthropic(429, "rate_limit_error", { "retry-after": "600" }));
    const error = await rejection(withRetries(attempt, options));
    expect(calls).toEqual([1]);
    expect(state.waits).toEqual([]);
    expect(error.message).toMatch(
      /^429 .*rate_limit_error.* \(after 1 attempt; the server asked to wait 600s, more than the 300s left of the 300s retry budget\)$/,
    );
  });

  it("stops retrying once the elapsed-time budget is spent", async () => {
    const { state, options } = clock();
    const errors = Array.from({ length: 20 }, () => openai(502));
    const slow = async (n: number) => {
      state.now += 4000; // each attempt takes 4 s
      return failing(...errors).attempt(n);
    };
    const error = await rejection(
      withRetries(slow, { ...options, maxAttempts: 20, maxElapsedSeconds: 20, random: () => 0.999 }),
    );
    expect(error.message).toMatch(/\(after \d attempts; the 20s retry budget is spent\)$/);
    expect(state.now - 1_000_000).toBeLessThanOrEqual(20_000 + 4000);
    expect(state.waits.length).toBeLessThan(6);
  });

  it("stops at once when the signal aborts during a wait (real timer, nothing left pending)", async () => {
    const controller = new AbortController();
    const reason = new Error("rollout cancelled");
    const { attempt, calls } = failing(openai(503), openai(503));
    const started = performance.now();
    const error = await rejection(
      withRetries(attempt, {
        signal: controller.signal,
        baseDelayMs: 60_000,
        random: () => 0.9,
        onRetry: () => setImmediate(() => controller.abort(reason)),
      }),
    );
    expect(error).toBe(reason);
    expect(calls).toEqual([1]);
    expect(performance.now() - started).toBeLessThan(5000);
  });

  it("does not retry when the call failed because its own signal aborted", async () => {
    const controller = new AbortController();
    const { options } = clock();
    let calls = 0;
    const error = await rejection(
      withRetries(
        async () => {
          calls++;
          controller.abort(new Error("stop"));
          throw new Anthropic.APIUserAbortError();
        },
        { ...options, signal: controller.signal },
      ),
    );
    expect(error.message).toBe("stop");
    expect(calls).toBe(1);
  });

  it("runs attempts in the limiter's slots and cuts its limit on a rate limit, once per congestion event", async () => {
    const { options } = clock();
    const limiter = new ConcurrencyLimiter(8);
    const { attempt } = failing(anthropic(429, "rate_limit_error"), anthropic(529, "overloaded_error"));
    expect(await withRetries(attempt, { ...options, limiter })).toBe("ok");
    // 8 → 4 → 2, then one success adds 1/2.
    expect(limiter.limit).toBe(2);
    expect(limiter.generation).toBe(2);
    expect(limiter.active).toBe(0);

    // Two calls in flight under the same generation both hit a 429: only the first cuts.
    const shared = new ConcurrencyLimiter(8);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const burst = (n: number) =>
      n === 1
        ? gate.then(() => {
            throw openai(429, "rate_limit_exceeded");
          })
        : Promise.resolve("ok");
    const both = Promise.all([
      withRetries(burst, { ...options, limiter: shared }),
      withRetries(burst, { ...options, limiter: shared }),
    ]);
    release();
    expect(await both).toEqual(["ok", "ok"]);
    expect(shared.generation).toBe(1);
  });
});
