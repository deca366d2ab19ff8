// A child process that serves an environment: spawn it in its own group, wait for its address line, stop the group.
import { type ChildProcess, spawn } from "node:child_process";
import { groupGone, signalGroup, trackGroup, untrackGroup } from "../environment/processes/process-group.ts";
import { HudError } from "../protocol/errors.ts";
import { OutputTail } from "./output-tail.ts";

const PORT_LINE = /^HUD_SERVE_PORT=(\d+)\s*$/;
const SOCKET_LINE = /^HUD_SERVE_SOCKET=(\/.*?)\s*$/;

export interface SpawnOptions {
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Seconds to wait for `HUD_SERVE_PORT=<port>` (or `HUD_SERVE_SOCKET=<path>`). */
  readyTimeout: number;
  /** Seconds between SIGTERM and SIGKILL when stopping. */
  killTimeout: number;
  /** Names the source in error messages. */
  source: string;
}

type Outcome =
  | { kind: "ready"; url: string }
  | { kind: "exited" }
  | { kind: "error"; error: Error }
  | { kind: "timeout" };

export class SpawnedServer {
  /** The child's process id, which is also its process group id (-1 if it never started). */
  readonly pid: number;
  private readonly child: ChildProcess;
  private readonly options: SpawnOptions;
  private readonly tail = new OutputTail();
  private readonly exited: Promise<void>;
  private readonly outcome: Promise<Outcome>;
  private url_ = "";
  private stopping: Promise<void> | undefined;

  private constructor(options: SpawnOptions) {
    this.options = options;
    this.child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      detached: true,
      // stdin is a pipe nobody writes to: it closes when this process dies, however it dies, and a server
      // started with --exit-with-parent then stops (with its group) instead of living on as an orphan.
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.pid = this.child.pid ?? -1;
    if (this.pid > 0) trackGroup(this.pid);
    const announced = new Promise<Outcome>((resolve) => {
      this.tail.follow(this.child.stdout!, (line) => {
        const port = Number(PORT_LINE.exec(line)?.[1]);
        if (port > 0 && port < 65536) resolve({ kind: "ready", url: `tcp://127.0.0.1:${port}` });
        const path = SOCKET_LINE.exec(line)?.[1];
        if (path) resolve({ kind: "ready", url: `unix://${path}` });
      });
    });
    this.tail.follow(this.child.stderr!);
    this.exited = new Promise((resolve) => {
      this.child.once("exit", () => resolve());
      this.child.once("error", () => {
        if (this.child.pid === undefined) resolve();
      });
    });
    const failed = new Promise<Outcome>((resolve) =>
      this.child.on("error", (error) => resolve({ kind: "error", error })),
    );
    this.outcome = Promise.race([announced, failed, this.exited.then((): Outcome => ({ kind: "exited" }))]);
  }

  /** Spawn and wait until the child announces its address; on any failure the whole group is gone before this rejects. */
  static async start(options: SpawnOptions): Promise<SpawnedServer> {
    const server = new SpawnedServer(options);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => resolve({ kind: "timeout" }), options.readyTimeout * 1000);
    });
    const outcome = await Promise.race([server.outcome, expired]);
    clearTimeout(timer);
    if (outcome.kind === "ready") {
      server.url_ = outcome.url;
      server.unref();
      return server;
    }
    await server.stop();
    throw await server.failure(outcome);
  }

  /** The control channel's url: `tcp://127.0.0.1:<port>` or `unix:///path`. */
  get url(): string {
    return this.url_;
  }

  /** The child's last output lines (stdout and stderr). */
  get output(): string[] {
    return this.tail.recent;
  }

  /** Whether the child is still running. */
  get running(): boolean {
    return this.pid > 0 && this.child.exitCode === null && this.child.signalCode === null;
  }

  /**
   * SIGTERM the group (the server runs its shutdown hooks), wait up to killTimeout for the child, then
   * SIGKILL the group, which also takes grandchildren that outlived it. Resolves once the child has exited
   * and the rest of its group is gone.
   */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.pid < 0) return;
      this.child.ref();
      if (this.running && this.options.killTimeout > 0) {
        signalGroup(this.pid, "SIGTERM");
        let timer: NodeJS.Timeout | undefined;
        const grace = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, this.options.killTimeout * 1000);
        });
        await Promise.race([this.exited, grace]);
        clearTimeout(timer);
      }
      signalGroup(this.pid, "SIGKILL");
      await this.exited;
      // Bounded: a member stuck in uninterruptible sleep must not hang teardown forever.
      if (await groupGone(this.pid, 5)) untrackGroup(this.pid);
    })();
    return this.stopping;
  }

  /** Serving: a forgotten lease must not keep this process alive (the exit hook still kills the group). */
  private unref(): void {
    this.child.unref();
    for (const stream of [this.child.stdin, this.child.stdout, this.child.stderr])
      (stream as { unref?: () => void } | null)?.unref?.();
  }

  private async failure(outcome: Outcome): Promise<HudError> {
    const { command, source, readyTimeout } = this.options;
    if (outcome.kind === "error")
      return new HudError(`could not spawn ${command} for ${source}: ${outcome.error.message}`);
    if (outcome.kind === "exited") {
      await this.streamsClosed();
      const status =
        this.child.exitCode !== null ? `code ${this.child.exitCode}` : `signal ${this.child.signalCode}`;
      return new HudError(
        `spawned env exited with ${status} before serving (source: ${source}):\n${this.tail.format()}`,
      );
    }
    return new HudError(
      `spawned env did not announce its address (HUD_SERVE_PORT / HUD_SERVE_SOCKET) within ${readyTimeout}s (source: ${source}); ` +
        `stopped it. Last output:\n${this.tail.format()}`,
    );
  }

  /** Let the last buffered output arrive after an exit; bounded, since a stray process could hold the pipes. */
  private async streamsClosed(): Promise<void> {
    const { stdout, stderr } = this.child;
    if (stdout?.closed !== false && stderr?.closed !== false) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.child.once("close", () => resolve())),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, 2000);
      }),
    ]);
    clearTimeout(timer);
  }
}
