// One SSH session channel: pty and window size, exec / shell / the sftp subsystem run in the sandbox,
// streams relayed with backpressure, exit status or signal returned, the command killed on disconnect.
import { constants } from "node:os";
import type { PseudoTtyInfo, ServerChannel, Session } from "ssh2";
import type { Sandbox } from "./sandbox.ts";
import { TOOLS } from "./sandbox-argv.ts";
import type { SandboxProcess } from "./sandbox-process.ts";

const MAX_DIMENSION = 10_000;
/** Seconds a resize helper (stty) may take. */
const RESIZE_TIMEOUT = 5;

interface PtyState {
  term: string;
  cols: number;
  rows: number;
}

function dimension(value: unknown, fallback: number): number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= MAX_DIMENSION
    ? value
    : fallback;
}

function terminalName(term: unknown): string {
  return typeof term === "string" && /^[A-Za-z0-9._+-]{1,64}$/.test(term) ? term : "xterm";
}

/** "INT" or "SIGINT" → "SIGINT", when it names a real signal. */
function signalName(name: string): NodeJS.Signals | undefined {
  const full = (name.startsWith("SIG") ? name : `SIG${name}`) as NodeJS.Signals;
  return full in constants.signals ? full : undefined;
}

export class SshSession {
  private readonly sandbox: Sandbox;
  private readonly sftpServer: string | undefined;
  private pty: PtyState | undefined;
  private proc: SandboxProcess | undefined;
  private started = false;
  /** The connection went away. */
  private closed = false;
  /** Resizes apply one at a time, in order. */
  private resizing: Promise<void> = Promise.resolve();

  constructor(session: Session, sandbox: Sandbox, sftpServer: string | undefined) {
    this.sandbox = sandbox;
    this.sftpServer = sftpServer;
    session.on("pty", (accept, reject, info: PseudoTtyInfo) => {
      if (this.started) return reject?.();
      this.pty = {
        term: terminalName(info.term),
        cols: dimension(info.cols, 80),
        rows: dimension(info.rows, 24),
      };
      accept?.();
    });
    session.on("window-change", (accept, _reject, info) => {
      if (this.pty) {
        this.pty.cols = dimension(info.cols, this.pty.cols);
        this.pty.rows = dimension(info.rows, this.pty.rows);
        this.resizing = this.resizing.then(() => this.resize());
      }
      accept?.();
    });
    // Client-sent variables (LANG via SendEnv, …) are refused: commands get exactly the workspace's environment.
    session.on("env", (_accept, reject) => reject?.());
    session.on("signal", (accept, _reject, info) => {
      const signal = signalName(String(info.name));
      if (signal) this.proc?.signal(signal);
      accept?.();
    });
    // As sshd: an exec request runs `bash -c <command>`, a shell request a login shell.
    session.on("exec", (accept, reject, info) => {
      if (this.started) return reject?.();
      void this.run(accept(), [TOOLS.bash, "-c", info.command], this.pty);
    });
    session.on("shell", (accept, reject) => {
      if (this.started) return reject?.();
      void this.run(accept(), [TOOLS.bash, "-l"], this.pty);
    });
    session.on("subsystem", (accept, reject, info) => {
      if (this.started || info.name !== "sftp" || this.sftpServer === undefined) return reject?.();
      void this.run(accept(), [this.sftpServer], undefined);
    });
  }

  /** Kill the command if it is still running (the connection went away). */
  close(): void {
    this.closed = true;
    this.proc?.kill();
  }

  private async run(channel: ServerChannel, program: string[], pty: PtyState | undefined): Promise<void> {
    this.started = true;
    let closed = false;
    const gone = new Promise<void>((resolve) =>
      channel.on("close", () => {
        closed = true;
        this.proc?.kill();
        resolve();
      }),
    );
    channel.on("error", () => this.proc?.kill());
    let proc: SandboxProcess;
    try {
      proc = await this.sandbox.spawn({
        program,
        pty: pty && { cols: pty.cols, rows: pty.rows },
        env: pty ? { TERM: pty.term } : {},
      });
    } catch (error) {
      if (closed) return;
      channel.stderr.write(`${(error as Error).message}\n`);
      channel.exit(255);
      channel.end();
      return;
    }
    this.proc = proc;
    // The channel or the connection may have gone while the command was starting.
    if (closed || this.closed) proc.kill();
    if (proc.stdin) channel.pipe(proc.stdin);
    proc.stdout.pipe(channel, { end: false });
    proc.stderr.pipe(channel.stderr, { end: false });
    const status = await proc.exited;
    await proc.outputDone();
    if (closed) return;
    // Everything relayed so far reaches the client before the exit status (writes are queued in order).
    await Promise.race([Promise.all([flushed(channel), flushed(channel.stderr)]), gone]);
    if (closed) return;
    if (status.error) {
      channel.stderr.write(`workspace: cannot start the command: ${status.error.message}\n`);
      channel.exit(255);
    } else if (status.signal) {
      channel.exit(status.signal.replace(/^SIG/, ""), false, "");
    } else {
      channel.exit(status.code ?? 255);
    }
    channel.end();
  }

  private async resize(): Promise<void> {
    const proc = this.proc;
    const pty = this.pty;
    if (!proc || !pty) return;
    // The command may not have opened its terminal yet: look a few times.
    let tty: string | undefined;
    for (let attempt = 0; attempt < 20 && tty === undefined && proc.running; attempt++) {
      tty = await proc.terminal();
      if (tty === undefined) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (tty === undefined) return;
    // Run as the sandbox user, in the sandbox: the size change makes the kernel send SIGWINCH to the foreground job.
    let stty: SandboxProcess;
    try {
      stty = await this.sandbox.spawn({
        program: [TOOLS.stty, "-F", tty, "rows", String(pty.rows), "cols", String(pty.cols)],
        stdin: false,
      });
    } catch {
      return; // the workspace is stopping
    }
    stty.stdout.resume();
    stty.stderr.resume();
    const timer = setTimeout(() => stty.kill(), RESIZE_TIMEOUT * 1000);
    await stty.exited;
    clearTimeout(timer);
  }
}

/** Resolves when everything written to `stream` so far has been handed on (a zero-length write queues last). */
function flushed(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    stream.write(Buffer.alloc(0), () => resolve());
  });
}
