// The AIMD limiter: slots never exceed the limit, halving on back-off, additive recovery, FIFO, abort while waiting.
import { describe, expect, it } from "vitest";
import { ConcurrencyLimiter, LimiterRegistry, limiterFor } from "./rate-limiter.ts";

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

async function succeed(limiter: ConcurrencyLimiter, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await limiter.run(async () => undefined);
}

describe("ConcurrencyLimiter", () => {
  it("never runs more calls at once than its limit, including after a cut", async () => {
    const limiter = new ConcurrencyLimiter(4);
    let inFlight = 0;
    let peak = 0;
    const work = async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await tick();
      await tick();
      inFlight--;
    };
    await Promise.all(Array.from({ length: 40 }, () => limiter.run(work)));
    expect(peak).toBe(4);

    limiter.backOff();
    expect(limiter.limit).toBe(2);
    peak = 0;
    const held = Array.from({ length: 6 }, () => deferred());
    const runs = held.map((gate) =>
      limiter.run(async () => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await gate.promise;
        inFlight--;
      }),
    );
    await tick();
    expect([limiter.active, limiter.waiting]).toEqual([2, 4]);
    for (const gate of held) gate.resolve();
    await Promise.all(runs);
    expect(peak).toBe(2);
    expect(limiter.active).toBe(0);
  });

  it("halves on back-off down to 1, and ignores a signal from before the latest cut", () => {
    const limiter = new ConcurrencyLimiter(64);
    const limits: number[] = [];
    for (let i = 0; i < 8; i++) {
      limiter.backOff();
      limits.push(limiter.limit);
    }
    expect(limits).toEqual([32, 16, 8, 4, 2, 1, 1, 1]);

    const fresh = new ConcurrencyLimiter(16);
    const seen = fresh.generation;
    expect(fresh.backOff(seen)).toBe(true);
    expect(fresh.backOff(seen)).toBe(false);
    expect(fresh.limit).toBe(8);
    expect(fresh.backOff(fresh.generation)).toBe(true);
    expect(fresh.limit).toBe(4);
  });

  it("recovers additively: about +1 per window of successes, never past the max", async () => {
    const limiter = new ConcurrencyLimiter(8);
    limiter.backOff();
    expect(limiter.limit).toBe(4);
    await succeed(limiter, 4);
    expect(limiter.limit).toBe(4);
    await succeed(limiter, 1);
    expect(limiter.limit).toBe(5);
    await succeed(limiter, 5);
    expect(limiter.limit).toBe(6);
    await succeed(limiter, 100);
    expect(limiter.limit).toBe(8);
    expect(limiter.max).toBe(8);
  });

  it("does not grow on failures, and frees the slot of a call that throws", async () => {
    const limiter = new ConcurrencyLimiter(2);
    limiter.backOff();
    for (let i = 0; i < 5; i++) {
      await expect(
        limiter.run(() => {
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
    }
    expect([limiter.limit, limiter.active]).toEqual([1, 0]);
  });

  it("serves waiters first in, first out", async () => {
    const limiter = new ConcurrencyLimiter(1);
    const hold = deferred();
    const first = limiter.run(() => hold.promise);
    const order: string[] = [];
    const queued = ["a", "b", "c", "d"].map((name) => limiter.run(async () => order.push(name)));
    expect(limiter.waiting).toBe(4);
    hold.resolve();
    await Promise.all([first, ...queued]);
    expect(order).toEqual(["a", "b", "c", "d"]);
  });

  it("lets a waiter leave on abort, with the signal's reason, and keeps serving the rest", async () => {
    const limiter = new ConcurrencyLimiter(1);
    const hold = deferred();
    const first = limiter.run(() => hold.promise);
    const controller = new AbortController();
    const reason = new Error("rollout timed out");
    let ran = false;
    const leaving = limiter.run(async () => {
      ran = true;
    }, controller.signal);
    const staying = limiter.run(async () => "served");
    expect(limiter.waiting).toBe(2);
    controller.abort(reason);
    await expect(leaving).rejects.toBe(reason);
    expect(limiter.waiting).toBe(1);
    hold.resolve();
    expect(await staying).toBe("served");
    await first;
    expect(ran).toBe(false);
    expect(limiter.active).toBe(0);

    await expect(limiter.run(async () => 1, AbortSignal.abort(reason))).rejects.toBe(reason);
    expect([limiter.active, limiter.waiting]).toEqual([0, 0]);
  });

  it("rejects a limit below 1", () => {
    expect(() => new ConcurrencyLimiter(0)).toThrow(RangeError);
  });
});

describe("limiter registry", () => {
  it("shares one limiter per provider:model and only ever raises its ceiling", async () => {
    const registry = new LimiterRegistry();
    const a = registry.get("anthropic:claude-sonnet-4-5", 8);
    expect(registry.get("anthropic:claude-sonnet-4-5", 4)).toBe(a);
    expect(a.max).toBe(8);
    expect(registry.get("openai:gpt-5", 8)).not.toBe(a);
    // An untouched limiter starts at a raised ceiling; a backed-off one recovers to it.
    expect(registry.get("anthropic:claude-sonnet-4-5", 16).limit).toBe(16);
    a.backOff();
    registry.get("anthropic:claude-sonnet-4-5", 32);
    expect([a.max, a.limit]).toEqual([32, 8]);

    expect(limiterFor("test:shared-model", 3)).toBe(limiterFor("test:shared-model"));
  });
});
