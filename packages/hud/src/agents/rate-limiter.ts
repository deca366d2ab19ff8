// A per-model AIMD concurrency limiter, so a large --max-concurrent backs off instead of storming a rate limit.
//
// The limit starts at `max`. A rate-limit signal (`backOff`, called by withRetries on a 429 or "overloaded")
// halves it (never below 1); each success adds 1/limit, i.e. +1 per window of successes, up to `max`. Only one
// halving per congestion event: a call that started before the last cut and reports the same congestion
// (passing the `generation` it saw) does not cut again. Waiters are served first in, first out; a waiter whose
// signal aborts leaves the queue at once. The queue holds only the callers themselves: nothing else grows.
//
// Compose with retries per attempt, so a call sleeping between attempts holds no slot:
//   withRetries((n) => call(n), { limiter: limiterFor(`${provider}:${model}`, maxConcurrent) })

export const DEFAULT_MAX_CONCURRENCY = 64;

interface Waiter {
  grant: () => void;
}

export class ConcurrencyLimiter {
  #max: number;
  #limit: number;
  #active = 0;
  #generation = 0;
  readonly #waiters: Waiter[] = [];

  constructor(max: number = DEFAULT_MAX_CONCURRENCY) {
    this.#max = ConcurrencyLimiter.#whole(max);
    this.#limit = this.#max;
  }

  static #whole(max: number): number {
    if (!Number.isFinite(max) || max < 1)
      throw new RangeError(`a concurrency limit must be ≥ 1 (got ${max})`);
    return Math.floor(max);
  }

  /** The ceiling the limit recovers to. */
  get max(): number {
    return this.#max;
  }

  /** How many calls may run at once right now. */
  get limit(): number {
    return Math.max(1, Math.floor(this.#limit));
  }

  /** Calls running now. */
  get active(): number {
    return this.#active;
  }

  /** Callers waiting for a slot. */
  get waiting(): number {
    return this.#waiters.length;
  }

  /** Increases with every cut; pass the value seen when a call started to `backOff`. */
  get generation(): number {
    return this.#generation;
  }

  /** Run `fn` once a slot is free; a success grows the limit additively. */
  async run<T>(fn: () => Promise<T> | T, signal?: AbortSignal): Promise<T> {
    await this.#acquire(signal);
    let succeeded = false;
    try {
      const value = await fn();
      succeeded = true;
      return value;
    } finally {
      this.#active--;
      if (succeeded) this.#limit = Math.min(this.#max, this.#limit + 1 / this.#limit);
      this.#drain();
    }
  }

  /**
   * Halve the limit (min 1) after a rate-limit signal. With `generation` (as read when the failed call
   * started), a signal from before the latest cut is ignored. Returns whether the limit was cut.
   */
  backOff(generation?: number): boolean {
    if (generation !== undefined && generation !== this.#generation) return false;
    this.#limit = Math.max(1, this.#limit / 2);
    this.#generation++;
    return true;
  }

  /** Raise the ceiling (another job asked for more); an untouched limiter starts at the new ceiling. */
  raiseMax(max: number): void {
    const whole = ConcurrencyLimiter.#whole(max);
    if (whole <= this.#max) return;
    this.#max = whole;
    if (this.#generation === 0) this.#limit = whole;
    this.#drain();
  }

  #acquire(signal: AbortSignal | undefined): Promise<void> {
    signal?.throwIfAborted();
    if (this.#waiters.length === 0 && this.#active < this.limit) {
      this.#active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      this.#waiters.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  #drain(): void {
    while (this.#waiters.length > 0 && this.#active < this.limit) {
      this.#active++;
      this.#waiters.shift()!.grant();
    }
  }
}

/** One limiter per key (`provider:model`), shared by every rollout in the process. */
export class LimiterRegistry {
  readonly #limiters = new Map<string, ConcurrencyLimiter>();

  get(key: string, max: number = DEFAULT_MAX_CONCURRENCY): ConcurrencyLimiter {
    const existing = this.#limiters.get(key);
    if (existing) {
      existing.raiseMax(max);
      return existing;
    }
    const limiter = new ConcurrencyLimiter(max);
    this.#limiters.set(key, limiter);
    return limiter;
  }
}

const shared = new LimiterRegistry();

/** The process-wide limiter for `key` (e.g. `anthropic:claude-sonnet-4-5`); `max` only ever raises its ceiling. */
export function limiterFor(key: string, max?: number): ConcurrencyLimiter {
  return shared.get(key, max);
}
