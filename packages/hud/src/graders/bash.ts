// BashGrader: score a command by its exit code — in the environment's workspace sandbox when there is one,
// optionally with the tests put back first (`pristine`), else on the environment host (python-sdk §7).
import { CappedOutput } from "../capabilities/clients/capped-output.ts";
import { shellQuote } from "../capabilities/clients/shell-quote.ts";
import { currentEnvironment } from "../environment/current.ts";
import type { Workspace } from "../environment/workspace/workspace.ts";
import { HudError } from "../protocol/errors.ts";
import { type CommandOutcome, runOnHost } from "./bash-host.ts";
import { Grader, type ScoreResult } from "./grader.ts";
import type { SubScoreInfo } from "./subscore.ts";

export interface BashGraderParams {
  /** Run with bash; exit code 0 scores 1, anything else 0. */
  command: string;
  /** Seconds before the command and everything it started are killed (default 600); a timeout scores 0. */
  timeoutSeconds?: number;
  /** Working directory: relative to the workspace root in a workspace, a host path otherwise. */
  cwd?: string;
  /** Paths of the workspace (e.g. `["tests/"]`) put back as they were when it started, before the command runs. */
  pristine?: readonly string[];
  /**
   * Where to run: a workspace, or `false` for the environment host. Default: the environment's workspace when it
   * has exactly one, else the host.
   */
  workspace?: Workspace | false;
}

/** Bytes of stdout and of stderr kept in `info` (head and tail). */
export const OUTPUT_LIMIT = 16 * 1024;
/** Characters of the command kept in `info._parameters`. */
const COMMAND_LIMIT = 2000;
const DEFAULT_TIMEOUT = 600;

function fail(message: string): never {
  throw new HudError(`BashGrader: ${message}`);
}

function isWorkspace(value: unknown): value is Workspace {
  const ws = value as Partial<Workspace> | null;
  return typeof ws?.exec === "function" && typeof ws.restore === "function";
}

/** The workspace to run in, or undefined for the host. */
function chooseWorkspace(option: BashGraderParams["workspace"]): Workspace | undefined {
  if (option === false) return undefined;
  if (option !== undefined) {
    if (!isWorkspace(option)) fail("'workspace' must be a Workspace (from env.workspace(...)) or false");
    return option;
  }
  const workspaces = currentEnvironment()?.workspaces ?? [];
  if (workspaces.length > 1) {
    fail(
      `the environment has ${workspaces.length} workspaces; pass { workspace } to choose one (or workspace: false for the host)`,
    );
  }
  return workspaces[0];
}

/** `text` cut to OUTPUT_LIMIT bytes, head and tail kept around a `[truncated N bytes]` line. */
function bounded(text: string): { text: string; truncated: boolean } {
  const out = new CappedOutput(OUTPUT_LIMIT);
  out.push(Buffer.from(text, "utf8"));
  return { text: out.bytes().toString("utf8"), truncated: out.truncated };
}

async function inWorkspace(
  ws: Workspace,
  params: BashGraderParams,
  timeout: number,
): Promise<CommandOutcome> {
  if (params.pristine !== undefined) await ws.restore(params.pristine);
  const line =
    params.cwd === undefined
      ? params.command
      : `cd -- ${shellQuote(params.cwd)} || exit 1\n${params.command}`;
  const result = await ws.exec(line, { timeout });
  const stdout = bounded(result.stdout);
  const stderr = bounded(result.stderr);
  return {
    ...result,
    stdout: stdout.text,
    stderr: stderr.text,
    truncated: result.truncated || stdout.truncated || stderr.truncated,
  };
}

export class BashGrader extends Grader<BashGraderParams> {
  async computeScore(params: BashGraderParams): Promise<ScoreResult> {
    const { command, timeoutSeconds = DEFAULT_TIMEOUT, cwd, pristine } = params;
    if (typeof command !== "string" || command.trim() === "") fail("'command' must be a non-empty string");
    if (typeof timeoutSeconds !== "number" || !(timeoutSeconds > 0) || !Number.isFinite(timeoutSeconds)) {
      fail(`'timeoutSeconds' must be a positive number of seconds (got ${String(timeoutSeconds)})`);
    }
    if (cwd !== undefined && (typeof cwd !== "string" || cwd === ""))
      fail("'cwd' must be a non-empty string");
    if (pristine !== undefined && !Array.isArray(pristine)) fail("'pristine' must be an array of paths");
    const ws = chooseWorkspace(params.workspace);
    if (!ws && pristine !== undefined) {
      fail(
        "'pristine' restores workspace paths, but this grader runs on the host: give the environment a workspace",
      );
    }
    const outcome = ws
      ? await inWorkspace(ws, params, timeoutSeconds)
      : await runOnHost(command, { timeout: timeoutSeconds, maxOutput: OUTPUT_LIMIT, cwd });
    const info: SubScoreInfo = {
      exit_code: outcome.timedOut ? null : outcome.exitCode,
      stdout: outcome.stdout,
      stderr: outcome.stderr,
    };
    if (outcome.timedOut) Object.assign(info, { timed_out: true, timeout: timeoutSeconds });
    else if (outcome.signal !== null) info.signal = outcome.signal;
    if (outcome.truncated) info.truncated = true;
    info.ran_in = ws ? "workspace" : "host";
    return [!outcome.timedOut && outcome.exitCode === 0 ? 1 : 0, info];
  }

  /** The command (cut if long), timeout, cwd and pristine paths; never the Workspace object itself. */
  protected override recordedParameters(params: BashGraderParams): unknown {
    const { command, timeoutSeconds, cwd, pristine, workspace } = params;
    const text = String(command);
    return {
      command: text.length > COMMAND_LIMIT ? `${text.slice(0, COMMAND_LIMIT)}… [${text.length} chars]` : text,
      timeoutSeconds: timeoutSeconds ?? DEFAULT_TIMEOUT,
      ...(cwd === undefined ? {} : { cwd: String(cwd) }),
      ...(pristine === undefined ? {} : { pristine: Array.isArray(pristine) ? pristine.map(String) : [] }),
      ...(workspace === false ? { workspace: false } : {}),
    };
  }
}
