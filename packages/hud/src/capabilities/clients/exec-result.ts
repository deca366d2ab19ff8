// What a finished command returns — over SSH, in a workspace, or run by a grader — built from its exit status
// and captured output. A light module: no ssh2, so graders load without it.
import type { CappedOutput } from "./capped-output.ts";

export interface ExecResult {
  /** null when the command died of a signal (a timeout kills with SIGKILL), or the server sent no status. */
  exitCode: number | null;
  /** e.g. "SIGKILL" when the command died of a signal. */
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Either stream went over its output cap (its head and tail are kept). */
  truncated: boolean;
}

/** A finished command's result from its exit status and captured output. */
export function execResult(
  status: { code: number | null; signal: string | null },
  stdout: CappedOutput,
  stderr: CappedOutput,
  timedOut: boolean,
): ExecResult {
  return {
    exitCode: status.code,
    signal: status.signal,
    stdout: stdout.bytes().toString("utf8"),
    stderr: stderr.bytes().toString("utf8"),
    timedOut,
    truncated: stdout.truncated || stderr.truncated,
  };
}
