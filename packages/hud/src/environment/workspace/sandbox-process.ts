// One command started in the sandbox: its own process group, exit status, group signals, output drain.
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { readdir, readFile, readlink } from "node:fs/promises";
import type { Readable, Writable } from "node:stream";

export interface ExitStatus {
  /** Exit code, or null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Set when the command could not be started at all. */
  error?: Error;
}

/** Seconds to keep relaying output after a command exits, for what it wrote just before exiting. */
export const OUTPUT_GRACE = 1;

/** What a command is made of, whichever way it was started (sandbox.ts joins with nsenter; sandbox-spawner.ts forks). */
export interface ProcessParts {
  stdin: Writable | null;
  stdout: Readable;
  stderr: Readable;
  exited: Promise<ExitStatus>;
  /** Signal the command's whole process group (it was started as a new session), if it still runs. */
  signal: (signal: NodeJS.Signals) => void;
  /** Host pid of the command (its session and group leader), while it runs and is known. */
  leader: () => number | undefined;
}

export class SandboxProcess {
  readonly stdin: Writable | null;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly exited: Promise<ExitStatus>;
  private readonly parts: ProcessParts;
  private alive = true;

  constructor(parts: ProcessParts) {
    this.parts = parts;
    this.stdin = parts.stdin;
    this.stdout = parts.stdout;
    this.stderr = parts.stderr;
    // A command that exits without reading its input must not take the server down with EPIPE.
    for (const stream of [parts.stdin, parts.stdout, parts.stderr]) stream?.on("error", () => {});
    this.exited = parts.exited.then((status) => {
      this.alive = false;
      return status;
    });
  }

  /**
   * A command that is `child` itself, or (`joined`) that nsenter, our child, forks into the sandbox: the command
   * then makes itself a session (setsid) so a group kill spares nsenter, which reaps it (no zombies for the
   * host's init).
   */
  static of(child: ChildProcess, joined: boolean): SandboxProcess {
    let alive = true;
    const exited = new Promise<ExitStatus>((resolve) => {
      child.once("error", (error) => {
        alive = false;
        resolve({ code: null, signal: null, error });
      });
      child.once("exit", (code, signal) => {
        alive = false;
        resolve({ code, signal });
      });
    });
    // While nsenter runs, its child is unreaped, so that pid (and its group) is still the command's.
    const leader = () => {
      if (!alive || child.pid === undefined) return undefined;
      return joined ? (firstChild(child.pid) ?? child.pid) : child.pid;
    };
    return new SandboxProcess({
      stdin: child.stdin,
      stdout: child.stdout!,
      stderr: child.stderr!,
      exited,
      leader,
      signal: (signal) => {
        const group = leader();
        if (group === undefined) return;
        for (const pid of new Set([group, child.pid!])) {
          try {
            process.kill(-pid, signal);
            return;
          } catch {
            // already gone, or not yet its own group
          }
        }
      },
    });
  }

  /** The command has not exited: only then is its process group id certain to still be its own. */
  get running(): boolean {
    return this.alive;
  }

  /** Signal the command's whole process group (it was started as a new session). */
  signal(signal: NodeJS.Signals): void {
    if (this.alive) this.parts.signal(signal);
  }

  kill(): void {
    this.signal("SIGKILL");
  }

  /**
   * Resolves once stdout and stderr have ended, or `grace` seconds after the command exited: a background
   * process it left behind keeps the pipes open, and must not hold the caller. Later output is discarded
   * (never left unread, so such a process does not block or get SIGPIPE).
   */
  async outputDone(grace = OUTPUT_GRACE): Promise<void> {
    const ended = (stream: Readable) =>
      stream.readableEnded || stream.destroyed
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            stream.once("end", resolve);
            stream.once("close", resolve);
          });
    const both = Promise.all([ended(this.stdout), ended(this.stderr)]);
    await this.exited;
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      both.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), grace * 1000);
      }),
    ]);
    clearTimeout(timer);
    if (late) {
      for (const stream of [this.stdout, this.stderr]) {
        stream.unpipe();
        stream.resume();
      }
    }
  }

  /** The terminal (`/dev/pts/N`, as the sandbox names it) of a process this command started, if any. */
  async terminal(): Promise<string | undefined> {
    const leader = this.alive ? this.parts.leader() : undefined;
    if (leader === undefined) return undefined;
    const queue = [leader];
    for (let seen = 0; queue.length > 0 && seen < 64; seen++) {
      const pid = queue.shift()!;
      const link = await readlink(`/proc/${pid}/fd/0`).catch(() => "");
      if (/^\/dev\/pts\/\d+$/.test(link)) return link;
      queue.push(...(await childrenOf(pid)));
    }
    return undefined;
  }
}

/** The first child of `pid` (its main thread's), read from /proc. */
export function firstChild(pid: number): number | undefined {
  return childrenSync(pid)[0];
}

/** The children of `pid`'s main thread (where Node and nsenter fork), read from /proc. */
export function childrenSync(pid: number): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8");
    return text.split(" ").flatMap((word) => (word.trim() === "" ? [] : [Number(word)]));
  } catch {
    return [];
  }
}

async function childrenOf(pid: number): Promise<number[]> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [] as string[]);
  const out: number[] = [];
  for (const task of tasks) {
    const text = await readFile(`/proc/${pid}/task/${task}/children`, "utf8").catch(() => "");
    for (const word of text.split(" ")) if (word.trim() !== "") out.push(Number(word));
  }
  return out;
}
