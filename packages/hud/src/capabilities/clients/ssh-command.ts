// One command on an SSH exec channel: stdin, capped and streamed output, exit status, and a timeout that kills.
import type { ClientChannel } from "ssh2";
import { HudError } from "../../protocol/errors.ts";
import { CappedOutput, DEFAULT_MAX_OUTPUT } from "./capped-output.ts";
import type { SshSession } from "./ssh-connection.ts";

export interface SshExecOptions {
  /** Seconds; on expiry the remote process is signalled (KILL) and its channel closed. */
  timeout?: number;
  /** Sent to the command's standard input, then EOF (without it, EOF at once). */
  stdin?: string | Uint8Array;
  /** Bytes kept per stream (default 10 MiB); beyond it the head and tail are kept around a `[truncated N bytes]` line. */
  maxOutput?: number;
  /** Every stdout chunk as it arrives (not capped). */
  onStdout?: (chunk: Buffer) => void;
  /** Every stderr chunk as it arrives (not capped). */
  onStderr?: (chunk: Buffer) => void;
  /** Directory to run in (default: where the server starts commands). */
  cwd?: string;
}

export interface CommandOutcome {
  exitCode: number | null;
  signal: string | null;
  stdout: CappedOutput;
  stderr: CappedOutput;
  timedOut: boolean;
}

/** How long a timed-out command's channel gets to confirm it closed before the command returns anyway. */
const KILL_GRACE = 1;

export function positiveSeconds(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!(typeof value === "number" && Number.isFinite(value) && value > 0)) {
    throw new HudError(`${name} must be a positive number of seconds (got ${String(value)})`);
  }
  return value;
}

/** A command shortened to one line for error messages. */
export function brief(command: string): string {
  const line = command.replace(/\s+/g, " ").trim();
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}

/**
 * Run `line` on a new exec channel of `session` and collect its outcome. `shown` names the command in errors and
 * `label` the server. A dropped connection or a channel that closes without an exit status rejects with a HudError.
 */
export function runCommand(
  session: SshSession,
  line: string,
  options: SshExecOptions & { shown: string; label: string },
): Promise<CommandOutcome> {
  const timeout = options.timeout === undefined ? undefined : positiveSeconds(options.timeout, "timeout", 0);
  const stdout = new CappedOutput(options.maxOutput ?? DEFAULT_MAX_OUTPUT);
  const stderr = new CappedOutput(options.maxOutput ?? DEFAULT_MAX_OUTPUT);
  const lost = () =>
    new HudError(`ssh connection to ${options.label} was lost while running '${brief(options.shown)}'`);
  return new Promise((resolve, reject) => {
    let exitCode: number | null = null;
    let signal: string | null = null;
    let exited = false;
    let timedOut = false;
    let settled = false;
    let closed = false;
    let stderrEnded = false;
    let timer: NodeJS.Timeout | undefined;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve({ exitCode, signal, stdout, stderr, timedOut });
    };
    const finish = () => {
      if (!closed || !stderrEnded) return;
      if (timedOut || exited) settle();
      else if (session.dropped) settle(lost());
      else
        settle(new HudError(`ssh ${options.label}: '${brief(options.shown)}' ended without an exit status`));
    };
    // Listeners go on in the exec callback itself: packets that arrived with the channel's confirmation are
    // emitted in the same tick, before any await could resume.
    const attach = (channel: ClientChannel) => {
      channel.on("data", (chunk: Buffer) => {
        stdout.push(chunk);
        options.onStdout?.(chunk);
      });
      channel.stderr.on("data", (chunk: Buffer) => {
        stderr.push(chunk);
        options.onStderr?.(chunk);
      });
      channel.stderr.on("end", () => {
        stderrEnded = true;
        finish();
      });
      channel.on("exit", (code: number | null, signalName?: string) => {
        exited = true;
        exitCode = typeof code === "number" ? code : null;
        signal = signalName ?? null;
      });
      channel.on("close", () => {
        closed = true;
        stderrEnded ||= channel.stderr.readableEnded || channel.stderr.destroyed;
        finish();
      });
      channel.on("error", () => {});
      if (timeout !== undefined) {
        timer = setTimeout(() => {
          timedOut = true;
          // OpenSSH's sshd kills the session's process group on a signal request (except in root sessions, which
          // it runs without privilege separation); closing covers servers that kill on close instead. The command
          // returns when the server confirms the close, or after a short grace.
          sendSignal(channel, "KILL");
          channel.close();
          timer = setTimeout(() => settle(), KILL_GRACE * 1000);
        }, timeout * 1000);
      }
      if (options.stdin === undefined) channel.end();
      else channel.end(options.stdin);
    };
    try {
      session.client.exec(line, (error, channel) => {
        if (!error) attach(channel);
        else if (session.dropped) settle(lost());
        else
          settle(
            new HudError(`ssh ${options.label} refused to run '${brief(options.shown)}': ${error.message}`),
          );
      });
    } catch {
      // ssh2 throws "Not connected" when the socket is already gone.
      session.dropped = true;
      settle(lost());
    }
  });
}

/** The parts of an ssh2 channel that sendSignal() reaches past the public API. */
interface ChannelInternals {
  outgoing?: { id?: number; state?: string };
  _client?: { _protocol?: { signal?: (id: number, name: string) => void } };
}

/**
 * Send a `signal` channel request. ssh2's `channel.signal()` stays silent once our side sent EOF (after stdin), which
 * is exactly when a timed-out command needs it, so this sends the request itself while the channel is open.
 */
function sendSignal(channel: ClientChannel, name: string): void {
  const internals = channel as unknown as ChannelInternals;
  const id = internals.outgoing?.id;
  const protocol = internals._client?._protocol;
  try {
    if (typeof id === "number" && internals.outgoing?.state !== "closed" && protocol?.signal) {
      protocol.signal(id, name);
    } else channel.signal(name);
  } catch {
    // The channel is already closing: nothing left to signal.
  }
}
