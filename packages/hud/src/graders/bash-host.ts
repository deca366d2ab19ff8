// Running a grader's command on the environment host: `bash -lc` in its own process group, output capped,
// the whole group killed on timeout (SIGTERM, then SIGKILL) and whatever it left behind killed when it exits.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { access, constants, stat } from "node:fs/promises";
import { CappedOutput } from "../capabilities/clients/capped-output.ts";
import { type ExecResult, execResult } from "../capabilities/clients/exec-result.ts";
import { groupGone, signalGroup, trackGroup, untrackGroup } from "../environment/processes/process-group.ts";
import { HudError } from "../protocol/errors.ts";

export interface HostCommandOptions {
  /** Seconds before the command's process group is killed. */
  timeout: number;
  /** Bytes of stdout and of stderr kept (head and tail). */
  maxOutput: number;
  cwd?: string;
  /** The shell (default /bin/bash, as the Python SDK). */
  shell?: string;
}

/**
 * What a grader's command did, on the host or in a workspace alike (a workspace command's result); here
 * `exitCode` is null when the command was killed, or could not start.
 */
export type CommandOutcome = ExecResult;

/** Seconds between SIGTERM and SIGKILL on timeout. */
const KILL_GRACE = 2;
/** Seconds to wait for a killed group to be gone, and for its pipes to close. */
const SETTLE = 5;

export async function runOnHost(command: string, options: HostCommandOptions): Promise<CommandOutcome> {
  const shell = options.shell ?? "/bin/bash";
  try {
    await access(shell, constants.X_OK);
  } catch {
    return {
      exitCode: null,
      signal: null,
      stdout: "",
      stderr: `${shell} not found`,
      timedOut: false,
      truncated: false,
    };
  }
  if (options.cwd !== undefined && !(await stat(options.cwd).catch(() => undefined))?.isDirectory()) {
    throw new HudError(`BashGrader: cwd '${options.cwd}' is not a directory on the environment host`);
  }
  const child = spawn(shell, ["-lc", command], {
    cwd: options.cwd,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stdout = new CappedOutput(options.maxOutput);
  const stderr = new CappedOutput(options.maxOutput);
  child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
  const closed = once(child, "close").catch(() => {});
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: Error }>(
    (resolve) => {
      child.once("error", (error) => resolve({ code: null, signal: null, error }));
      child.once("exit", (code, signal) => resolve({ code, signal }));
    },
  );
  const pgid = child.pid;
  if (pgid !== undefined) trackGroup(pgid);
  let timedOut = false;
  let escalation: NodeJS.Timeout | undefined;
  const timer = setTimeout(() => {
    timedOut = true;
    if (pgid === undefined) return;
    signalGroup(pgid, "SIGTERM");
    escalation = setTimeout(() => signalGroup(pgid, "SIGKILL"), KILL_GRACE * 1000);
  }, options.timeout * 1000);
  const status = await exited;
  clearTimeout(timer);
  clearTimeout(escalation);
  if (pgid !== undefined) {
    // A grader leaves nothing running: background processes still in the group die with it.
    signalGroup(pgid, "SIGKILL");
    await groupGone(pgid, SETTLE);
    untrackGroup(pgid);
  }
  // Pipes held by a process that left the group (setsid) must not hold the grade.
  let settle: NodeJS.Timeout | undefined;
  await Promise.race([closed, new Promise((resolve) => (settle = setTimeout(resolve, SETTLE * 1000)))]);
  clearTimeout(settle);
  child.stdout.destroy();
  child.stderr.destroy();
  if (status.error) throw new HudError(`BashGrader: cannot run ${shell}: ${status.error.message}`);
  return execResult(status, stdout, stderr, timedOut);
}
