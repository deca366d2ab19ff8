// Shared: one substrate per (env, runtime_config), booted by the first lease and reused by up to `width` at a time.
import { HELLO_MEMO } from "../client/client.ts";
import type { Task } from "../environment/task.ts";
import { HudError } from "../protocol/errors.ts";
import { CallablePlacement } from "./callable-placement.ts";
import { Mutex } from "./mutex.ts";
import type { Lease, Placement } from "./placement.ts";

export interface SharedOptions {
  /** How many leases may use one substrate at the same time (integer ≥ 1). */
  width: number;
}

/** One booted lease of the inner placement, and who is using it. */
interface Substrate {
  lease: Lease | undefined;
  /** The params handed to each view: the lease's, plus the hello memo of this boot's server. */
  params: Record<string, unknown> | undefined;
  /** Epoch ms after which the next acquisition reboots it (`limits.run_timeout_s`). */
  deadline: number;
  active: number;
  waiters: (() => void)[];
}

/**
 * Leases are views: disposing one frees its slot and leaves the substrate running for the next. Substrates are
 * torn down by `close()` (or `await using`), where teardown errors surface.
 */
export class Shared extends CallablePlacement implements AsyncDisposable {
  readonly width: number;
  private readonly inner: Placement;
  private readonly substrates = new Map<string, Substrate>();
  /** Boots and teardowns run one at a time, across keys, as in the Python SDK. */
  private readonly bootLock = new Mutex();
  private readonly teardownErrors: unknown[] = [];
  private closing: Promise<void> | undefined;

  constructor(placement: Placement, options: SharedOptions) {
    super();
    if (typeof placement !== "function")
      throw new HudError("Shared needs a placement: a runtime or a function (task) => lease");
    const width = options?.width;
    if (!Number.isInteger(width) || width < 1) {
      throw new HudError(`Shared width must be a whole number of at least 1 (got ${String(width)})`);
    }
    this.inner = placement;
    this.width = width;
  }

  protected override async acquire(task: Task): Promise<Lease> {
    const substrate = this.substrateFor(task);
    // Wait for a free slot; an expired substrate in use first drains, so its rollouts are not cut off.
    while (this.width <= substrate.active || (expired(substrate) && substrate.active > 0)) {
      this.checkOpen();
      await new Promise<void>((resolve) => substrate.waiters.push(resolve));
    }
    this.checkOpen();
    substrate.active++;
    // Booted and current: nothing to serialize with the boot lock.
    if (substrate.lease && !expired(substrate)) return this.view(substrate, substrate.lease);
    try {
      const lease = await this.bootLock.run(() => this.boot(substrate, task));
      // Acquisitions that waited for an expired substrate to be replaced can go now.
      wake(substrate);
      return this.view(substrate, lease);
    } catch (error) {
      substrate.active--;
      wake(substrate);
      throw error;
    }
  }

  /** A lease of `substrate` for one rollout, holding one of its slots until disposed. */
  private view(substrate: Substrate, lease: Lease): SharedLease {
    return new SharedLease(lease.url, substrate.params, () => {
      substrate.active--;
      wake(substrate);
    });
  }

  /** Called under the boot lock with a slot held: boot if needed, reboot if expired and nobody else uses it. */
  private async boot(substrate: Substrate, task: Task): Promise<Lease> {
    this.checkOpen();
    if (substrate.lease && expired(substrate) && substrate.active === 1) {
      const old = substrate.lease;
      substrate.lease = undefined;
      await disposeInto(old, this.teardownErrors);
    }
    if (!substrate.lease) {
      const lease = await this.inner(task);
      if (this.closing) {
        await disposeInto(lease, []);
        this.checkOpen();
      }
      const runTimeout = task.runtime_config?.limits?.run_timeout_s;
      substrate.lease = lease;
      // A fresh server: connections to it share what it says in hello (client.ts, helloMemo).
      substrate.params = { ...lease.params, [HELLO_MEMO]: {} };
      substrate.deadline =
        runTimeout === undefined ? Number.POSITIVE_INFINITY : Date.now() + runTimeout * 1000;
    }
    return substrate.lease;
  }

  private substrateFor(task: Task): Substrate {
    const key = `${task.env}\u0000${canonicalJson(task.runtime_config ?? null)}`;
    let substrate = this.substrates.get(key);
    if (!substrate) {
      substrate = {
        lease: undefined,
        params: undefined,
        deadline: Number.POSITIVE_INFINITY,
        active: 0,
        waiters: [],
      };
      this.substrates.set(key, substrate);
    }
    return substrate;
  }

  private checkOpen(): void {
    if (this.closing) throw new HudError("Shared placement is closed; create a new Shared to run more tasks");
  }

  /** Tear down every substrate (waiting for a boot in progress); the first teardown error is thrown. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const substrate of this.substrates.values()) wake(substrate);
      await this.bootLock.run(async () => {
        for (const substrate of this.substrates.values()) {
          const lease = substrate.lease;
          substrate.lease = undefined;
          if (lease) await disposeInto(lease, this.teardownErrors);
        }
      });
      const errors = this.teardownErrors.splice(0);
      if (errors.length === 1) throw errors[0];
      if (errors.length > 1)
        throw new AggregateError(errors, `Shared: ${errors.length} substrates failed to tear down`);
    })();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/** A view of a substrate's lease; disposing releases the slot (once). */
class SharedLease implements Lease {
  readonly url: string;
  readonly params: Record<string, unknown> | undefined;
  private release: (() => void) | undefined;

  constructor(url: string, params: Record<string, unknown> | undefined, release: () => void) {
    this.url = url;
    this.params = params;
    this.release = release;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    const release = this.release;
    this.release = undefined;
    release?.();
  }
}

/** Tear a substrate down, collecting its error rather than failing whoever happens to be acquiring. */
async function disposeInto(lease: Lease, errors: unknown[]): Promise<void> {
  try {
    await lease[Symbol.asyncDispose]();
  } catch (error) {
    errors.push(error);
  }
}

function expired(substrate: Substrate): boolean {
  return substrate.lease !== undefined && Date.now() >= substrate.deadline;
}

function wake(substrate: Substrate): void {
  for (const resolve of substrate.waiters.splice(0)) resolve();
}

/** JSON with object keys sorted, so equal configs give equal keys whatever their key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
