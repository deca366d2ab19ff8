// The sandbox commands run in: one persistent bubblewrap per workspace that every command joins
// (so background processes and loopback servers last for the rollout), or the bare host when opted out.
// Commands are forked by a spawner living in the sandbox (sandbox-spawner.ts); without one (it could not start,
// or it exited) each command joins the sandbox through nsenter and the wrapper of sandbox-argv.ts.
import { type ChildProcess, spawn } from "node:child_process";
import { chown, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HudError } from "../../protocol/errors.ts";
import type { ResolvedWorkspaceOptions } from "./options.ts";
import {
  bwrapArgv,
  commandArgv,
  commandEnv,
  groupWith,
  joinArgv,
  type PtySize,
  passwdWith,
  ptyArgv,
  SANDBOX_HOME,
  SANDBOX_NODE,
  SANDBOX_PATH,
  spawnedArgv,
  spawnerArgv,
  TOOLS,
} from "./sandbox-argv.ts";
import { SandboxProcess } from "./sandbox-process.ts";
import { SPAWNER_NODE_FLAGS, SPAWNER_SCRIPT, Spawner } from "./sandbox-spawner.ts";

export interface SpawnRequest {
  program: readonly string[];
  /** Variables for this command only (e.g. TERM of a pseudo-terminal). */
  env?: Record<string, string>;
  /** Run on a new pseudo-terminal of this size. */
  pty?: PtySize;
  /** Give the command a stdin pipe (default true; otherwise /dev/null). */
  stdin?: boolean;
}

/** The running bubblewrap: its monitor (our child) and the host pid of the sandbox's pid 1. */
interface BwrapProcess {
  monitor: ChildProcess;
  pid: number;
}

const START_TIMEOUT = 10;
const STOP_TIMEOUT = 5;
const HOST_PATH = process.env.PATH || SANDBOX_PATH;

export class Sandbox {
  readonly options: ResolvedWorkspaceOptions;
  readonly root: string;
  private readonly bwrap: BwrapProcess | undefined;
  private readonly home: string;
  /** Our directory of passwd/group files mounted in the sandbox, removed at stop. */
  private readonly etc: string | undefined;
  private spawner: Spawner | undefined;
  private readonly processes = new Set<SandboxProcess>();
  /** Session ids of every command started without isolation (their leftovers are found by session at stop). */
  private readonly sessions = new Set<number>();
  private stopped = false;

  private constructor(
    options: ResolvedWorkspaceOptions,
    root: string,
    home: string,
    bwrap?: BwrapProcess,
    etc?: string,
  ) {
    this.options = options;
    this.root = root;
    this.home = home;
    this.bwrap = bwrap;
    this.etc = etc;
  }

  /** Start the sandbox for `root`; refuses (HudError) when bubblewrap is wanted but cannot run. */
  static async start(root: string, options: ResolvedWorkspaceOptions): Promise<Sandbox> {
    if (options.isolation === "none") {
      const home = await mkdtemp(join(tmpdir(), "hud-workspace-home-"));
      if (options.drop) await chown(home, options.drop.uid, options.drop.gid);
      return new Sandbox(options, root, home);
    }
    const etc = await identityFiles(options);
    let bwrap: BwrapProcess;
    try {
      bwrap = await startBwrap(root, options, etc);
    } catch (error) {
      if (etc) await rm(etc, { recursive: true, force: true });
      throw error;
    }
    const sandbox = new Sandbox(options, root, SANDBOX_HOME, bwrap, etc);
    try {
      sandbox.spawner = await sandbox.startSpawner().catch(() => undefined);
      const probe = () => sandbox.spawn({ program: [TOOLS.bash, "-c", "exit 0"], stdin: false });
      let reason = await failureOf(await probe());
      if (reason !== undefined && sandbox.spawner) {
        // Commands the spawner forks cannot run: join the sandbox command by command instead.
        sandbox.spawner.close();
        sandbox.spawner = undefined;
        reason = await failureOf(await probe());
      }
      if (reason !== undefined) throw refusal(`commands cannot join it: ${reason}`);
    } catch (error) {
      await sandbox.stop();
      throw error;
    }
    return sandbox;
  }

  get isolated(): boolean {
    return this.bwrap !== undefined;
  }

  /** Start `program` in the sandbox under the limits, uid drop and clean environment of the workspace. */
  async spawn(request: SpawnRequest): Promise<SandboxProcess> {
    const { options } = this;
    if (this.stopped) throw new HudError("workspace: the sandbox is stopped");
    const env = commandEnv({ user: options.user, home: this.home, extra: options.env, session: request.env });
    const program = request.pty ? ptyArgv(request.program, request.pty) : request.program;
    if (this.spawner?.alive) {
      try {
        const proc = await this.spawner.spawn({
          argv: spawnedArgv(options.limits, program),
          env,
          uid: options.drop?.uid,
          gid: options.drop?.gid,
          stdin: request.stdin !== false,
        });
        return this.track(proc, undefined);
      } catch {
        // the spawner is gone: join the sandbox the slow way
      }
    }
    const inner = commandArgv(
      {
        limits: options.limits,
        drop: options.drop,
        privileged: this.isolated || process.getuid?.() === 0,
        env,
      },
      program,
    );
    return this.launch(inner, request.stdin !== false);
  }

  /** Run `program` as the server's own user with no limits (inside the sandbox when isolated): setup only. */
  spawnPrivileged(program: readonly string[]): SandboxProcess {
    return this.launch([TOOLS.env, "-i", "--", `PATH=${SANDBOX_PATH}`, ...program], false);
  }

  /** nsenter's argv to run `inner` in the sandbox (`session`: as a new session, for a command). */
  private joined(inner: readonly string[], session: boolean): string[] {
    const join = joinArgv({
      pid: this.bwrap!.pid,
      network: this.options.network,
      userns: process.getuid?.() !== 0,
    });
    return ["nsenter", ...join, ...(session ? [TOOLS.setsid] : []), ...inner];
  }

  private launch(inner: readonly string[], stdin: boolean): SandboxProcess {
    if (this.stopped) throw new HudError("workspace: the sandbox is stopped");
    const argv = this.bwrap ? this.joined(inner, true) : inner;
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: this.bwrap ? "/" : this.root,
      env: { PATH: HOST_PATH },
      detached: true,
      stdio: [stdin ? "pipe" : "ignore", "pipe", "pipe"],
    });
    return this.track(SandboxProcess.of(child, this.bwrap !== undefined), this.bwrap ? undefined : child.pid);
  }

  /** Remember `proc` until it exits, so stop() kills it (and, without isolation, finds what it left by `session`). */
  private track(proc: SandboxProcess, session: number | undefined): SandboxProcess {
    if (session !== undefined) this.sessions.add(session);
    this.processes.add(proc);
    void proc.exited.then(() => this.processes.delete(proc));
    if (this.stopped) proc.kill();
    return proc;
  }

  /**
   * The spawner, joined to the sandbox like a command but once (see spawnerArgv), running our own Node
   * (mounted at SANDBOX_NODE) with an IPC channel. Its environment is only what nsenter needs.
   */
  private startSpawner(): Promise<Spawner> {
    const argv = this.joined(
      spawnerArgv({ limits: this.options.limits, drop: this.options.drop }, [
        SANDBOX_NODE,
        ...SPAWNER_NODE_FLAGS,
        "-e",
        SPAWNER_SCRIPT,
      ]),
      false,
    );
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: "/",
      env: { PATH: HOST_PATH },
      detached: true,
      stdio: ["ignore", "ignore", "ignore", "ipc"],
    });
    return Spawner.start(child, this.bwrap!.pid, START_TIMEOUT);
  }

  /** Kill every command and everything they left running; idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const proc of this.processes) proc.kill();
    if (this.bwrap) {
      await stopBwrap(this.bwrap);
      this.spawner?.close();
      if (this.etc) await rm(this.etc, { recursive: true, force: true });
    } else {
      // Two passes: a process may fork while the first pass runs.
      for (let pass = 0; pass < 2; pass++) await killSessions(this.sessions, this.options.drop?.uid);
      await rm(this.home, { recursive: true, force: true });
    }
    await Promise.all([...this.processes].map((proc) => proc.exited));
  }
}

function refusal(reason: string): HudError {
  return new HudError(
    `workspace: bubblewrap cannot sandbox commands (${reason}); install bubblewrap and allow namespaces, ` +
      `or pass isolation: "none" to run commands without a sandbox`,
  );
}

/** Undefined when the process exits 0, else the first line it printed (or its status). */
async function failureOf(proc: SandboxProcess): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  proc.stderr.on("data", (chunk: Buffer) => {
    if (chunks.length < 16) chunks.push(chunk);
  });
  proc.stdout.resume();
  const timer = setTimeout(() => proc.kill(), START_TIMEOUT * 1000);
  const status = await proc.exited;
  await proc.outputDone();
  clearTimeout(timer);
  if (status.code === 0) return undefined;
  const text = Buffer.concat(chunks).toString("utf8").trim().split("\n")[0];
  return status.error?.message ?? (text || `exit ${status.code ?? status.signal}`);
}

/** A private directory with passwd and group files naming the sandbox user (when commands drop to a uid). */
async function identityFiles(options: ResolvedWorkspaceOptions): Promise<string | undefined> {
  const drop = options.drop;
  if (!drop) return undefined;
  const dir = await mkdtemp(join(tmpdir(), "hud-workspace-etc-"));
  const read = (path: string) => readFile(path, "utf8").catch(() => "");
  const name = options.user;
  await writeFile(join(dir, "passwd"), passwdWith(await read("/etc/passwd"), { name, ...drop }), {
    mode: 0o644,
  });
  await writeFile(join(dir, "group"), groupWith(await read("/etc/group"), { name, gid: drop.gid }), {
    mode: 0o644,
  });
  return dir;
}

async function startBwrap(
  root: string,
  options: ResolvedWorkspaceOptions,
  etc: string | undefined,
): Promise<BwrapProcess> {
  const argv = bwrapArgv({
    root,
    cwd: options.cwd,
    network: options.network,
    hostname: "workspace",
    tmpSize: options.limits.tmpSize,
    drop: options.drop,
    identity: etc === undefined ? undefined : { passwd: join(etc, "passwd"), group: join(etc, "group") },
    node: process.execPath,
    userns: process.getuid?.() !== 0,
  });
  // Options go through fd 4 (`--args`), so the sandbox's /proc/1/cmdline does not show host paths.
  const split = argv.indexOf("--");
  const monitor = spawn(options.bwrapPath, ["--args", "4", ...argv.slice(split)], {
    cwd: "/",
    env: {},
    detached: true,
    stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"],
  });
  const args = monitor.stdio[4] as NodeJS.WritableStream | null;
  args?.on("error", () => {});
  args?.end(`${argv.slice(0, split).join("\0")}\0`);
  const stderr: Buffer[] = [];
  monitor.stderr?.on("data", (chunk: Buffer) => {
    if (stderr.length < 16) stderr.push(chunk);
  });
  const info = monitor.stdio[3] as NodeJS.ReadableStream;
  let text = "";
  const failure = new Promise<never>((_, reject) => {
    monitor.once("error", (error: NodeJS.ErrnoException) => {
      reject(refusal(error.code === "ENOENT" ? `'${options.bwrapPath}' was not found` : `${error.message}`));
    });
    monitor.once("exit", (code, signal) => {
      const said = Buffer.concat(stderr).toString("utf8").trim().split("\n")[0];
      reject(refusal(said || `bwrap exited with ${code ?? signal}`));
    });
  });
  failure.catch(() => {});
  const pid = new Promise<number>((resolve) => {
    info.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
      const match = /"child-pid"\s*:\s*(\d+)/.exec(text);
      if (match) resolve(Number(match[1]));
    });
  });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(refusal(`no sandbox after ${START_TIMEOUT}s`)), START_TIMEOUT * 1000);
  });
  const waiting = { active: true };
  try {
    const child = await Promise.race([pid, failure, deadline]);
    // Ready once its command has created $HOME and become `sleep`.
    await Promise.race([waitForSleep(child, waiting), failure, deadline]);
    return { monitor, pid: child };
  } catch (error) {
    await stopBwrap({ monitor, pid: undefined });
    throw error;
  } finally {
    waiting.active = false;
    clearTimeout(timer);
  }
}

async function waitForSleep(pid: number, waiting: { active: boolean }): Promise<void> {
  while (waiting.active) {
    const children = await readFile(`/proc/${pid}/task/${pid}/children`, "utf8").catch(() => "");
    for (const child of children.split(" ").filter((word) => word.trim() !== "")) {
      const comm = await readFile(`/proc/${child}/comm`, "utf8").catch(() => "");
      if (comm.trim() === "sleep") return;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * SIGKILL to the sandbox's pid 1: the kernel kills everything else in its pid namespace before pid 1 is
 * reaped, and bwrap (which reaps it) exits after that. (Killing the main process instead lets bwrap exit
 * before pid 1 is reaped: a zombie for the host's init, and a teardown still in progress.)
 */
async function stopBwrap(bwrap: { monitor: ChildProcess; pid: number | undefined }): Promise<void> {
  const { monitor } = bwrap;
  if (monitor.exitCode !== null || monitor.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => monitor.once("exit", () => resolve()));
  // While bwrap runs, its pid 1 is unreaped, so the pid is still that process.
  if (bwrap.pid !== undefined) {
    try {
      process.kill(bwrap.pid, "SIGKILL");
    } catch {
      // already gone
    }
    if (await within(exited, STOP_TIMEOUT)) return;
  }
  try {
    process.kill(-monitor.pid!, "SIGKILL");
  } catch {
    // already gone
  }
  await exited;
}

async function within(promise: Promise<void>, seconds: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const done = await Promise.race([
    promise.then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), seconds * 1000);
    }),
  ]);
  clearTimeout(timer);
  return done;
}

/** SIGKILL every process whose session is one of `sessions` (and, when commands drop to `uid`, runs as it). */
async function killSessions(sessions: Set<number>, uid: number | undefined): Promise<void> {
  if (sessions.size === 0) return;
  const pids = (await readdir("/proc").catch(() => [] as string[])).filter((name) => /^\d+$/.test(name));
  for (const pid of pids) {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8").catch(() => "");
    // Fields after the command name (which may hold spaces): state ppid pgrp session ...
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (!sessions.has(Number(fields[3]))) continue;
    if (uid !== undefined) {
      const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
      if (Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) !== uid) continue;
    }
    try {
      process.kill(Number(pid), "SIGKILL");
    } catch {
      // already gone
    }
  }
}
