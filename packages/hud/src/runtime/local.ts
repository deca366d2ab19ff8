// LocalRuntime: serve the environment inside this process, on a private unix socket, one server per lease.
import { resolve } from "node:path";
import { Environment } from "../environment/environment.ts";
import { loadEnvironment } from "../environment/load.ts";
import { bind, type HudServer } from "../environment/server/control-server.ts";
import type { Task } from "../environment/task.ts";
import { errorMessage, HudError } from "../protocol/errors.ts";
import { CallablePlacement } from "./callable-placement.ts";
import { checkSeconds, hostLimits, resourceWarner } from "./host-config.ts";
import { Mutex } from "./mutex.ts";
import type { Lease } from "./placement.ts";
import { privateSocket } from "./private-socket.ts";

/** An env file or directory, a live Environment, or a factory making one per lease. */
export type LocalSource = string | Environment | ((task: Task) => Environment | Promise<Environment>);

export interface LocalRuntimeOptions {
  /** Environment to pick from a source file (default: the row's `env`). */
  env?: string;
  /** Seconds to wait for the initialize hooks (default 120; a row's `limits.startup_timeout_s` wins). */
  readyTimeout?: number;
  /** Where warnings go (default: a process warning). */
  onWarning?: (message: string) => void;
}

/**
 * Hooks start and stop with each lease, so one Environment object serves one lease at a time: leases of the
 * same object queue here. (Wrap in `Shared` to let many rollouts use one started environment.)
 */
const environmentLocks = new WeakMap<Environment, Mutex>();

function lockOf(env: Environment): Mutex {
  let mutex = environmentLocks.get(env);
  if (!mutex) {
    mutex = new Mutex();
    environmentLocks.set(env, mutex);
  }
  return mutex;
}

export class LocalRuntime extends CallablePlacement {
  readonly source: LocalSource;
  private readonly options: LocalRuntimeOptions;
  private readonly readyTimeout: number;
  private readonly warnResources: ReturnType<typeof resourceWarner>;

  constructor(source: LocalSource, options: LocalRuntimeOptions = {}) {
    super();
    if (typeof source === "string") this.source = resolve(source);
    else if (Environment.is(source) || typeof source === "function") this.source = source;
    else
      throw new HudError(
        "LocalRuntime needs an env file path, an Environment, or a function (task) => Environment",
      );
    this.options = options;
    this.readyTimeout = checkSeconds(options.readyTimeout, "LocalRuntime readyTimeout", 120);
    this.warnResources = resourceWarner("LocalRuntime", options.onWarning ?? ((m) => process.emitWarning(m)));
  }

  protected override async acquire(task: Task): Promise<Lease> {
    const limits = hostLimits(task, "LocalRuntime", this.readyTimeout);
    this.warnResources(limits);
    const env = await this.environmentFor(task);
    const release = await lockOf(env).lock();
    try {
      await startWithin(env, limits.readyTimeout);
      const socket = privateSocket();
      let server: HudServer;
      try {
        server = await bind(env, socket ? { path: socket.path } : { host: "127.0.0.1", port: 0 });
      } catch (error) {
        socket?.remove();
        await env.stop().catch(() => {});
        throw error;
      }
      return new LocalLease(env, server, () => {
        socket?.remove();
        release();
      });
    } catch (error) {
      release();
      throw error;
    }
  }

  private async environmentFor(task: Task): Promise<Environment> {
    const source = this.source;
    if (typeof source === "string")
      return loadEnvironment(source, { fresh: true, name: this.options.env ?? task.env });
    if (Environment.is(source)) return source;
    const env = await source(task);
    if (!Environment.is(env)) {
      throw new HudError(
        `LocalRuntime: the factory returned ${typeof env} for task '${task.slug}', not an Environment`,
      );
    }
    return env;
  }
}

/** Run the initialize hooks, giving up after `seconds` (then the shutdown hooks get a bounded chance to clean up). */
async function startWithin(env: Environment, seconds: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<"expired">((resolve) => {
    timer = setTimeout(() => resolve("expired"), seconds * 1000);
  });
  try {
    const outcome = await Promise.race([env.start().then(() => "started" as const), expired]);
    if (outcome === "started") return;
  } catch (error) {
    await stopWithin(env, seconds);
    throw new HudError(`environment '${env.name}' failed to start: ${errorMessage(error)}`, { cause: error });
  } finally {
    clearTimeout(timer);
  }
  await stopWithin(env, seconds);
  throw new HudError(
    `environment '${env.name}' did not start within ${seconds}s (an initialize hook is still running)`,
  );
}

async function stopWithin(env: Environment, seconds: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, seconds * 1000);
  });
  await Promise.race([env.stop().catch(() => {}), expired]);
  clearTimeout(timer);
}

/** One bound server over a started environment; disposing closes the server, then runs the shutdown hooks. */
class LocalLease implements Lease {
  readonly url: string;
  readonly environment: Environment;
  private readonly server: HudServer;
  private readonly release: () => void;
  private disposing: Promise<void> | undefined;

  constructor(environment: Environment, server: HudServer, release: () => void) {
    this.environment = environment;
    this.server = server;
    this.release = release;
    this.url = server.url;
  }

  [Symbol.asyncDispose](): Promise<void> {
    this.disposing ??= (async () => {
      try {
        await this.server.close();
      } finally {
        try {
          await this.environment.stop();
        } finally {
          this.release();
        }
      }
    })();
    return this.disposing;
  }
}
