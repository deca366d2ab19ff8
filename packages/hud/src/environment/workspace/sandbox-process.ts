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

export class SandboxProcess {
  readonly child: ChildProcess;
  readonly stdin: Writable | null;
  readonly stdout: Readable;
  readonly stderr: Readable;
  readonly exited: Promise<ExitStatus>;
  private alive = true;

  /**
   * `joined`: the child is nsenter, which forks the command into the sandbox; the command then makes itself
   * a session (setsid) so a group kill spares nsenter, which reaps it (no zombies for the host's init).
   */
  private readonly joined: boolean;

  constructor(child: ChildProcess, joined: boolean) {
    this.child = child;
    this.joined = joined;
    this.stdin = child.stdin;
    this.stdout = child.stdout!;
    this.stderr = child.stderr!;
    // A command that exits without reading its input must not take the server down with EPIPE.
    child.stdin?.on("error", () => {});
    this.exited = new Promise((resolve) => {
      child.once("error", (error) => {
        this.alive = false;
        resolve({ code: null, signal: null, error });
      });
      child.once("exit", (code, signal) => {
        this.alive = false;
        resolve({ code, signal });
      });
    });
  }

  /** The leader has not exited: only then is its process group id certain to still be ours. */
  get running(): boolean {
    return this.alive && this.child.pid !== undefined;
  }

  /** Signal the command's whole process group (it was started as a new session). */
  signal(signal: NodeJS.Signals): void {
    if (!this.running) return;
    const pid = this.child.pid!;
    // While nsenter runs, its child is unreaped, so that pid (and its group) is still the command's.
    const group = this.joined ? (firstChild(pid) ?? pid) : pid;
    try {
      process.kill(-group, signal);
    } catch {
      // already gone, or not yet its own group
      try {
        process.kill(-pid, signal);
      } catch {
        // already gone
      }
    }
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
    if (!this.running) return undefined;
    const queue = [this.child.pid!];
    for (let seen = 0; queue.length > 0 && seen < 64; seen++) {
      const pid = queue.shift()!;
      const link = await readlink(`/proc/${pid}/fd/0`).catch(() => "");
      if (/^\/dev\/pts\/\d+$/.test(link)) return link;
      queue.push(...(await childrenOf(pid)));
    }
    return undefined;
  }
}

function firstChild(pid: number): number | undefined {
  try {
    const word = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(" ")[0];
    return word ? Number(word) : undefined;
  } catch {
    return undefined;
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
