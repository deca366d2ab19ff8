// The spawner: one long-lived Node process inside the sandbox that forks every command, so a command costs one
// fork + exec (as with sshd) instead of a chain of execs (nsenter → setsid → prlimit → setpriv → env → bash).
//
// It is started once through that chain, so it already has the sandbox's namespaces and root, the limits, no
// capabilities beyond those needed to drop to the sandbox uid, no_new_privs and a clean environment; commands
// inherit all of it. Each command's stdin, stdout and stderr are socket pairs made here: one end stays with us,
// the other is passed to the spawner over Node's IPC channel (SCM_RIGHTS) and becomes the command's descriptor,
// so output flows from the command straight to us (nothing is relayed). Signals go from the host straight to
// the command's process group; the spawner only forks and reports exit statuses.
import type { ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { childrenSync, type ExitStatus, SandboxProcess } from "./sandbox-process.ts";

/**
 * The spawner's program (plain JavaScript for `node -e`). Messages from us: `{id, fd}` with the command's
 * stdout (1) or stderr (2) socket, then `{id, argv, env, uid, gid}` with its stdin socket or none. It
 * answers `{ready}` once, then `{id, pid}` (its pid in the sandbox) and `{id, code, signal}` or `{id, error}`.
 * The spawn and closing our copies of the sockets happen in the same tick as receiving stdin, so the
 * spawner never reads what we write to the command. It first closes the descriptors it inherited without
 * close-on-exec (but stdin, stdout, stderr). Commands start in the spawner's working directory, the
 * sandbox's `cwd` (entered before it lost the capabilities to enter a directory the sandbox uid owns).
 */
export const SPAWNER_SCRIPT = `"use strict";
process.title = "hud-spawner";
const { spawn } = require("node:child_process");
const fs = require("node:fs");
// Descriptors the server inherited from whatever started it would reach every command: close them.
for (const name of fs.readdirSync("/proc/self/fd")) {
  try {
    const flags = /^flags:\\s*(\\d+)/m.exec(fs.readFileSync("/proc/self/fdinfo/" + name, "utf8"));
    if (Number(name) > 2 && flags && !(parseInt(flags[1], 8) & 0o2000000)) fs.closeSync(Number(name));
  } catch {}
}
const staged = new Map();
const send = (message) => { if (process.connected) process.send(message); };
process.on("message", (m, handle) => {
  if (handle) handle.on("error", () => {});
  const io = staged.get(m.id) || [];
  if (m.fd !== undefined) { io[m.fd] = handle; staged.set(m.id, io); return; }
  staged.delete(m.id);
  io[0] = handle;
  let child;
  try {
    child = spawn(m.argv[0], m.argv.slice(1), {
      stdio: [0, 1, 2].map((fd) => io[fd] || "ignore"),
      env: m.env, uid: m.uid, gid: m.gid, detached: true,
    });
  } catch (error) {
    send({ id: m.id, error: String(error && error.message) });
  }
  for (const socket of io) if (socket) socket.destroy();
  if (!child) return;
  let done = false;
  const finish = (message) => { if (!done) { done = true; send(message); } };
  child.once("error", (error) => finish({ id: m.id, error: String(error.message) }));
  child.once("exit", (code, signal) => finish({ id: m.id, code, signal }));
  if (child.pid !== undefined) send({ id: m.id, pid: child.pid });
});
process.on("disconnect", () => process.exit(0));
send({ ready: true });
`;

/** Node options for the spawner: a small heap and few threads (it holds no data). */
export const SPAWNER_NODE_FLAGS = ["--max-semi-space-size=1", "--v8-pool-size=1"] as const;

/** Seconds a killed command may take to be reported before the spawner is deemed stuck and killed. */
const KILL_GRACE = 5;

export interface SpawnerRequest {
  argv: readonly string[];
  env: Record<string, string>;
  uid?: number;
  gid?: number;
  stdin: boolean;
}

interface Staged {
  id: number;
  /** Our ends of the command's stdout and stderr. */
  stdout: Socket;
  stderr: Socket;
  /** Both ends of a pair for its stdin (the other end is not handed over yet). */
  input: [Socket, Socket];
}

interface Entry {
  /** The command's pid in the sandbox, once started. */
  pid?: number;
  /** Signals asked for before it started. */
  pending: NodeJS.Signals[];
  done: boolean;
  /** Settle once (a command that never started also loses our ends of its sockets). */
  finish: (status: ExitStatus) => void;
  watchdog?: NodeJS.Timeout;
}

export class Spawner {
  /** Our child: nsenter, whose own child (same process group) became the spawner. */
  private readonly child: ChildProcess;
  /** Host pid of the sandbox's pid 1, which adopts the commands if the spawner is gone. */
  private readonly init: number;
  private readonly dir: string;
  private readonly pairs: Server;
  private readonly entries = new Map<number, Entry>();
  private next = 0;
  private staged: Promise<Staged> | undefined;
  private live = true;
  /** Socket pairs are made one at a time, so each accepted connection is the one just dialled. */
  private pairing: Promise<unknown> = Promise.resolve();
  /** The pair being made: settled by the accepted connection, or failed. */
  private accepting: { accept: (socket: Socket) => void; fail: (error: Error) => void } | undefined;

  private constructor(child: ChildProcess, init: number, dir: string, pairs: Server) {
    this.child = child;
    this.init = init;
    this.dir = dir;
    this.pairs = pairs;
    child.on("message", (message: unknown) => this.onMessage(message));
    child.on("error", () => {});
    child.once("exit", () => this.lost());
  }

  /**
   * Wait for `child` (nsenter … node -e SPAWNER_SCRIPT, with an IPC channel) to say it is ready; `init` is the
   * host pid of the sandbox's pid 1. Rejects, and kills `child`, when it exits or `timeout` seconds pass first.
   */
  static async start(child: ChildProcess, init: number, timeout: number): Promise<Spawner> {
    let timer: NodeJS.Timeout | undefined;
    let onMessage: ((message: unknown) => void) | undefined;
    let onExit: (() => void) | undefined;
    let dir: string | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        onMessage = (message) => {
          if ((message as { ready?: unknown } | null)?.ready === true) resolve();
        };
        onExit = () => reject(new Error("the spawner exited"));
        child.on("message", onMessage);
        child.once("exit", onExit);
        child.once("error", reject);
        timer = setTimeout(() => reject(new Error(`no spawner after ${timeout}s`)), timeout * 1000);
      });
      const made = await mkdtemp(join(tmpdir(), "hud-workspace-io-"));
      dir = made;
      const pairs = createServer();
      await new Promise<void>((resolve, reject) => {
        pairs.once("error", reject);
        pairs.listen(join(made, "io.sock"), () => resolve());
      });
      const spawner = new Spawner(child, init, made, pairs);
      pairs.on("connection", (socket) => {
        const waiting = spawner.accepting;
        spawner.accepting = undefined;
        if (waiting) waiting.accept(socket);
        else socket.destroy();
      });
      return spawner;
    } catch (error) {
      killGroup(child);
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
      throw error;
    } finally {
      clearTimeout(timer);
      if (onMessage) child.off("message", onMessage);
      if (onExit) child.off("exit", onExit);
    }
  }

  /** False once the spawner has exited: commands then go the slow way. */
  get alive(): boolean {
    return this.live;
  }

  /** Fork `argv` in the sandbox. Rejects only when the spawner is gone (the caller then starts it another way). */
  async spawn(request: SpawnerRequest): Promise<SandboxProcess> {
    // Take the staged outputs synchronously, so concurrent spawns never share them.
    const next = this.staged ?? this.stage();
    this.staged = undefined;
    const { id, stdout, stderr, input } = await next;
    const stdin = request.stdin ? input : undefined;
    if (!stdin) for (const socket of input) socket.destroy();
    if (!this.live) {
      for (const socket of [stdout, stderr, ...input]) socket.destroy();
      throw new Error("the spawner exited");
    }
    // Stage the next command's outputs while this one runs (unless a concurrent spawn already does).
    if (this.staged === undefined) {
      this.staged = this.stage();
      this.staged.catch(() => {});
    }
    const entry: Entry = { pending: [], done: false, finish: () => {} };
    const exited = new Promise<ExitStatus>((resolve) => {
      entry.finish = (status) => {
        if (entry.done) return;
        entry.done = true;
        clearTimeout(entry.watchdog);
        this.entries.delete(id);
        if (status.error) for (const socket of [stdout, stderr, ...(stdin ?? [])]) socket.destroy();
        resolve(status);
      };
    });
    this.entries.set(id, entry);
    // Our stdin end also reads: whatever the command writes to its stdin, and EOF when it is gone.
    stdin?.[0].resume();
    const { argv, env, uid, gid } = request;
    this.child.send({ id, argv, env, uid, gid }, stdin?.[1], (error: Error | null) => {
      if (error) entry.finish({ code: null, signal: null, error });
    });
    return new SandboxProcess({
      stdin: stdin?.[0] ?? null,
      stdout,
      stderr,
      exited,
      leader: () => (entry.pid === undefined || entry.done ? undefined : this.hostPid(entry.pid)),
      signal: (signal) => this.signal(entry, signal),
    });
  }

  /**
   * A command id with its stdout and stderr already handed to the spawner (each handle waits for the
   * spawner's acknowledgement before the next can go, so this is done ahead of time, off the command's path),
   * and a pair for its stdin (which goes with the spawn request itself).
   */
  private async stage(): Promise<Staged> {
    const id = ++this.next;
    const made: Socket[] = [];
    try {
      if (!this.live) throw new Error("the spawner exited");
      const out = await this.pair();
      made.push(...out);
      const err = await this.pair();
      made.push(...err);
      const input = await this.pair();
      made.push(...input);
      // Each send hands the other end over and closes our copy of it once the spawner has it.
      this.child.send({ id, fd: 1 }, out[1]);
      this.child.send({ id, fd: 2 }, err[1]);
      return { id, stdout: out[0], stderr: err[0], input };
    } catch (error) {
      for (const socket of made) socket.destroy();
      throw error;
    }
  }

  /** Kill the spawner (its commands keep running, in their own sessions). */
  close(): void {
    killGroup(this.child);
    this.lost();
  }

  /**
   * A connected socket pair: [ours, the one to hand over]. The handed-over end is the dialling one, paused
   * before it connects so that it never reads here (an accepted socket would not do: Node tracks sockets of a
   * net.Server sent to another process, with more messages).
   */
  private pair(): Promise<[Socket, Socket]> {
    const made = this.pairing.then(
      () =>
        new Promise<[Socket, Socket]>((resolve, reject) => {
          if (!this.live) return reject(new Error("the spawner exited"));
          const theirs = connect(join(this.dir, "io.sock"));
          theirs.pause();
          let mine: Socket | undefined;
          let connected = false;
          const done = () => {
            if (!mine || !connected) return;
            theirs.off("error", fail);
            theirs.on("error", () => {});
            mine.on("error", () => {});
            resolve([mine, theirs]);
          };
          const fail = (error: Error) => {
            this.accepting = undefined;
            theirs.destroy();
            mine?.destroy();
            reject(error);
          };
          theirs.once("error", fail);
          theirs.once("connect", () => {
            connected = true;
            done();
          });
          this.accepting = {
            accept: (socket) => {
              mine = socket;
              done();
            },
            fail,
          };
        }),
    );
    this.pairing = made.catch(() => {});
    return made;
  }

  private onMessage(message: unknown): void {
    if (typeof message !== "object" || message === null) return;
    const { id, pid, code, signal, error } = message as Record<string, unknown>;
    const entry = typeof id === "number" ? this.entries.get(id) : undefined;
    if (!entry) return;
    if (typeof pid === "number" && entry.pid === undefined) {
      entry.pid = pid;
      for (const pending of entry.pending.splice(0)) this.signal(entry, pending);
    } else if (typeof error === "string") {
      entry.finish({ code: null, signal: null, error: new Error(error) });
    } else if (typeof code === "number" || typeof signal === "string") {
      entry.finish({
        code: typeof code === "number" ? code : null,
        signal: typeof signal === "string" ? (signal as NodeJS.Signals) : null,
      });
    }
  }

  private signal(entry: Entry, signal: NodeJS.Signals): void {
    if (entry.done) return;
    if (entry.pid === undefined) entry.pending.push(signal);
    else {
      const leader = this.hostPid(entry.pid);
      if (leader !== undefined) {
        try {
          process.kill(-leader, signal);
        } catch {
          // already gone
        }
      }
    }
    // A spawner that does not report the kill is stuck (or stopped): kill it, which settles every command.
    if (signal === "SIGKILL" && this.live) {
      entry.watchdog ??= setTimeout(() => this.close(), KILL_GRACE * 1000).unref();
    }
  }

  /** The host pid of the command that is `pid` in the sandbox: a child of the spawner, or if it is gone of pid 1. */
  private hostPid(pid: number): number | undefined {
    const spawner = this.child.pid === undefined ? [] : childrenSync(this.child.pid);
    for (const parent of [...spawner, this.init]) {
      for (const child of childrenSync(parent)) {
        try {
          const ids = /^NSpid:\s+(.*)$/m.exec(readFileSync(`/proc/${child}/status`, "utf8"))?.[1];
          if (Number(ids?.trim().split(/\s+/).pop()) === pid) return child;
        } catch {
          // gone meanwhile
        }
      }
    }
    return undefined;
  }

  /**
   * The spawner is gone: commands it started can no longer be reported, so they are killed (when they can be
   * found) and reported as killed; commands not yet started fail.
   */
  private lost(): void {
    if (!this.live) return;
    this.live = false;
    this.accepting?.fail(new Error("the spawner exited"));
    void this.staged?.then(
      (staged) => {
        for (const socket of [staged.stdout, staged.stderr, ...staged.input]) socket.destroy();
      },
      () => {},
    );
    this.staged = undefined;
    this.pairs.close();
    void rm(this.dir, { recursive: true, force: true });
    for (const entry of this.entries.values()) {
      if (entry.pid === undefined) {
        entry.finish({ code: null, signal: null, error: new Error("the sandbox's spawner exited") });
        continue;
      }
      const leader = this.hostPid(entry.pid);
      if (leader !== undefined) {
        try {
          process.kill(-leader, "SIGKILL");
        } catch {
          // already gone
        }
      }
      entry.finish({ code: null, signal: "SIGKILL" });
    }
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}
