// What a command run for a workspace or a grader returns, and building it from an exit status and captured output.
import type { CappedOutput } from "../../capabilities/clients/capped-output.ts";

export interface WorkspaceExecResult {
  /** null when the command died of a signal (a timeout kills with SIGKILL). */
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** Either stream went over `limits.execOutput` (its head and tail are kept). */
  truncated: boolean;
}

/** A finished command's result from its exit status and captured output. */
export function execResult(
  status: { code: number | null; signal: string | null },
  stdout: CappedOutput,
  stderr: CappedOutput,
  timedOut: boolean,
): WorkspaceExecResult {
  return {
    exitCode: status.code,
    signal: status.signal,
    stdout: stdout.bytes().toString("utf8"),
    stderr: stderr.bytes().toString("utf8"),
    timedOut,
    truncated: stdout.truncated || stderr.truncated,
  };
}
