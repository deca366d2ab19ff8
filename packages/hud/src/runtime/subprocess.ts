// SubprocessRuntime: each lease is a fresh `hud serve <source>` child process, in its own process group, serving on
// a unix socket in a private directory (loopback TCP where there are none).
import { existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { splitSpec } from "../environment/load.ts";
import { childEnvironment } from "../environment/processes/child-env.ts";
import type { Task } from "../environment/task.ts";
import { HudError } from "../protocol/errors.ts";
import { CallablePlacement } from "./callable-placement.ts";
import { checkSeconds, hostLimits, resourceWarner } from "./host-config.ts";
import type { Lease } from "./placement.ts";
import { privateSocket } from "./private-socket.ts";
import { SpawnedServer } from "./spawned-server.ts";

export interface SubprocessRuntimeOptions {
  /** Environment to serve from the source (default: each row's `env`). */
  env?: string;
  /** Seconds to wait for the child to serve (default 120; a row's `limits.startup_timeout_s` wins). */
  readyTimeout?: number;
  /** Seconds between SIGTERM and SIGKILL at teardown (default 10). */
  killTimeout?: number;
  /** Extra environment variables for the child. */
  vars?: Record<string, string>;
  /** Secret-looking variables (API keys, tokens, passwords) to pass through anyway; others are withheld. */
  passEnv?: string[];
  /** Where warnings go (default: a process warning). */
  onWarning?: (message: string) => void;
}

export class SubprocessRuntime extends CallablePlacement {
  /** Absolute path of the source (file or directory), with `:export` if one was given. */
  readonly source: string;
  private readonly cwd: string;
  private readonly options: SubprocessRuntimeOptions;
  private readonly readyTimeout: number;
  private readonly killTimeout: number;
  private readonly warnResources: ReturnType<typeof resourceWarner>;

  constructor(source: string, options: SubprocessRuntimeOptions = {}) {
    super();
    if (typeof source !== "string" || source === "")
      throw new HudError("SubprocessRuntime needs an env file or directory path");
    const spec = splitSpec(source);
    const path = resolve(spec.path);
    const info = statSync(path, { throwIfNoEntry: false });
    if (!info) throw new HudError(`SubprocessRuntime: no such file or directory: ${spec.path}`);
    this.source = spec.exportName === undefined ? path : `${path}:${spec.exportName}`;
    this.cwd = info.isDirectory() ? path : dirname(path);
    for (const [name, value] of Object.entries(options.vars ?? {})) {
      if (typeof value !== "string")
        throw new HudError(`SubprocessRuntime vars.${name} must be a string (got ${typeof value})`);
    }
    this.options = options;
    this.readyTimeout = checkSeconds(options.readyTimeout, "SubprocessRuntime readyTimeout", 120);
    this.killTimeout = checkSeconds(options.killTimeout, "SubprocessRuntime killTimeout", 10, true);
    this.warnResources = resourceWarner(
      "SubprocessRuntime",
      options.onWarning ?? ((m) => process.emitWarning(m)),
    );
  }

  protected override async acquire(task: Task): Promise<Lease> {
    const limits = hostLimits(task, "SubprocessRuntime", this.readyTimeout);
    this.warnResources(limits);
    const name = this.options.env ?? task.env;
    const socket = privateSocket();
    const listen = socket ? ["--socket", socket.path] : ["--host", "127.0.0.1", "--port", "0"];
    try {
      const server = await SpawnedServer.start({
        command: process.execPath,
        args: [...cliEntry(), "serve", this.source, ...listen, "--env", name, "--exit-with-parent"],
        cwd: this.cwd,
        env: childEnvironment(process.env, { passEnv: this.options.passEnv, vars: this.options.vars }),
        readyTimeout: limits.readyTimeout,
        killTimeout: this.killTimeout,
        source: this.source,
      });
      return new SubprocessLease(server, () => socket?.remove());
    } catch (error) {
      socket?.remove();
      throw error;
    }
  }
}

/** A served child; disposing stops its whole process group. */
class SubprocessLease implements Lease {
  readonly url: string;
  private readonly server: SpawnedServer;
  private readonly cleanup: () => void;

  constructor(server: SpawnedServer, cleanup: () => void) {
    this.server = server;
    this.cleanup = cleanup;
    this.url = server.url;
  }

  /** The child's process id (also its process group id). */
  get pid(): number {
    return this.server.pid;
  }

  /** The child's last output lines. */
  get output(): string[] {
    return this.server.output;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.server.stop();
    this.cleanup();
  }
}

let entry: string[] | undefined;

/**
 * Node arguments that run the `hud` CLI of this very copy of the package. From sources, the child also gets
 * the "hud-source" condition so the environment's `import "hud"` resolves to the same sources.
 */
function cliEntry(): string[] {
  if (entry) return entry;
  const fromSource = import.meta.url.endsWith(".ts");
  const candidates = fromSource ? ["../cli/bin.ts", "../cli/bin.js"] : ["../cli/bin.js", "../cli/bin.ts"];
  for (const candidate of candidates) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (!existsSync(path)) continue;
    entry = path.endsWith(".ts") ? ["--conditions=hud-source", path] : [path];
    return entry;
  }
  throw new HudError(
    `cannot find the hud CLI next to ${fileURLToPath(import.meta.url)} (looked for ${candidates.join(", ")})`,
  );
}
