// Workspace options: what an author may set, the documented defaults, and one-line validation errors.
import { randomInt } from "node:crypto";
import { isAbsolute, normalize } from "node:path";
import { HudError } from "../../protocol/errors.ts";

/** Resource bounds for everything the agent (or a grader's `exec`) runs in the workspace. */
export interface WorkspaceLimits {
  /**
   * RLIMIT_NPROC: processes and threads of the sandbox user, counted system-wide per uid (default 512).
   * The kernel never applies it to uid 0, which is one reason commands drop to `uid` when serving as root.
   */
  processes?: number;
  /** RLIMIT_FSIZE: largest file a command may write, in bytes (default 1 GiB). */
  fileSize?: number;
  /** RLIMIT_CPU: CPU seconds per process (default 3600). */
  cpuTime?: number;
  /** RLIMIT_NOFILE: open files per process (default 4096). */
  openFiles?: number;
  /** RLIMIT_AS: address space per process, in bytes (default: unlimited — it breaks runtimes that reserve big mappings). */
  memory?: number;
  /** Size of the private /tmp (a tmpfs, so it is memory), in bytes (default 1 GiB). */
  tmpSize?: number;
  /** SSH connections served at once (default 32). */
  connections?: number;
  /** Open session channels per SSH connection (default 10, as OpenSSH's MaxSessions). */
  sessions?: number;
  /** Bytes of stdout and of stderr kept by `exec()` (default 1 MiB each; the rest is dropped and flagged). */
  execOutput?: number;
}

export interface WorkspaceOptions {
  /** Capability name (default "shell"). */
  name?: string;
  /** User name published in the capability (default "agent"); the server accepts any name with the key. */
  user?: string;
  /** Where the root appears inside the sandbox, and the commands' working directory (default "/workspace"). */
  cwd?: string;
  /** Let commands reach the network, the host's loopback included (default false). */
  network?: boolean;
  /** Extra environment variables for every command (the runner's own variables are never passed). */
  env?: Record<string, string>;
  /** "bwrap" (default) sandboxes every command; "none" is the explicit opt-out, published as such. */
  isolation?: "bwrap" | "none";
  /**
   * When serving as root, commands run as this uid (default: a fresh uid per workspace, from
   * 1,900,000,000–1,999,999,999, so concurrent workspaces neither share a process limit nor can signal each
   * other; the sandbox's /etc/passwd names it `user`). 0 keeps root: not advised, RLIMIT_NPROC does not bind it.
   */
  uid?: number;
  /** Group for commands when serving as root (default: the same number as `uid`). */
  gid?: number;
  /** Resource bounds; see WorkspaceLimits for the defaults. */
  limits?: WorkspaceLimits;
  /** Publish file tracking of the root (default true; served by the file-tracking module). */
  trackFiles?: boolean;
  /** The bubblewrap executable (default "bwrap" on PATH). */
  bwrapPath?: string;
  /** Default seconds before `exec()` kills a command (default 600). */
  execTimeout?: number;
  /**
   * Keep a copy of the root as it was at start, outside the root, so `restore()` (and BashGrader's `pristine`)
   * can put paths back (default true; the copy costs the root's size on disk at every start).
   */
  snapshot?: boolean;
}

export interface ResolvedLimits {
  processes: number;
  fileSize: number;
  cpuTime: number;
  openFiles: number;
  memory: number | undefined;
  tmpSize: number;
  connections: number;
  sessions: number;
  execOutput: number;
}

export interface ResolvedWorkspaceOptions {
  name: string;
  user: string;
  cwd: string;
  network: boolean;
  env: Record<string, string>;
  isolation: "bwrap" | "none";
  /** The uid/gid commands switch to, or undefined to keep the server's own. */
  drop: { uid: number; gid: number } | undefined;
  limits: ResolvedLimits;
  trackFiles: boolean;
  bwrapPath: string;
  execTimeout: number;
  snapshot: boolean;
}

const GiB = 1024 * 1024 * 1024;
export const DEFAULT_LIMITS: ResolvedLimits = {
  processes: 512,
  fileSize: GiB,
  cpuTime: 3600,
  openFiles: 4096,
  memory: undefined,
  tmpSize: GiB,
  connections: 32,
  sessions: 10,
  execOutput: 1024 * 1024,
};
/** Per-workspace uids are drawn from here: above systemd's container range, below 2^31. */
export const UID_RANGE = { from: 1_900_000_000, to: 2_000_000_000 } as const;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Guest paths the sandbox mounts itself; the root cannot be placed over them. */
const RESERVED = ["/usr", "/etc", "/bin", "/sbin", "/lib", "/lib64", "/proc", "/dev", "/tmp", "/run"];

function fail(message: string): never {
  throw new HudError(`workspace: ${message}`);
}

function positiveInteger(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value <= 0) {
    fail(`'${what}' must be a positive integer, got ${String(value)}`);
  }
  return value;
}

function resolveLimits(limits: WorkspaceLimits | undefined): ResolvedLimits {
  const merged = { ...DEFAULT_LIMITS, ...(limits ?? {}) };
  const out = { ...merged };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof ResolvedLimits)[]) {
    if (key === "memory" && merged.memory === undefined) continue;
    out[key] = positiveInteger(merged[key], `limits.${key}`);
  }
  return out;
}

function resolveCwd(cwd: string, isolation: "bwrap" | "none", root: string): string {
  if (isolation === "none") return root;
  if (typeof cwd !== "string" || !isAbsolute(cwd)) fail(`'cwd' must be an absolute path, got '${cwd}'`);
  const path = normalize(cwd).replace(/\/+$/, "");
  if (path === "" || RESERVED.some((dir) => path === dir || path.startsWith(`${dir}/`))) {
    fail(`'cwd' cannot be '${cwd}': the sandbox mounts that path itself (use e.g. /workspace)`);
  }
  return path;
}

/** Validate extra environment variables (names a shell accepts, string values). */
export function resolveEnv(env: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env ?? {})) {
    if (!ENV_NAME.test(key)) fail(`environment variable name '${key}' is not valid`);
    if (typeof value !== "string" || value.includes("\0"))
      fail(`environment variable '${key}' must be a string`);
    out[key] = value;
  }
  return out;
}

function resolveDrop(options: WorkspaceOptions, serverUid: number): ResolvedWorkspaceOptions["drop"] {
  if (serverUid !== 0) {
    if (options.uid !== undefined || options.gid !== undefined) {
      fail(`'uid'/'gid' need the server to run as root (it runs as uid ${serverUid})`);
    }
    return undefined;
  }
  const uid = options.uid ?? randomInt(UID_RANGE.from, UID_RANGE.to);
  if (!Number.isSafeInteger(uid) || uid < 0) fail(`'uid' must be a non-negative integer, got ${uid}`);
  const gid = options.gid ?? uid;
  if (!Number.isSafeInteger(gid) || gid < 0) fail(`'gid' must be a non-negative integer, got ${gid}`);
  return uid === 0 && gid === 0 ? undefined : { uid, gid };
}

/** Fill in defaults and validate; `root` is the absolute host directory, `serverUid` the serving process's uid. */
export function resolveOptions(
  options: WorkspaceOptions,
  root: string,
  serverUid: number,
): ResolvedWorkspaceOptions {
  if (typeof options !== "object" || options === null) fail("options must be an object");
  const isolation = options.isolation ?? "bwrap";
  if (isolation !== "bwrap" && isolation !== "none") {
    fail(`'isolation' must be "bwrap" or "none", got '${String(isolation)}'`);
  }
  const name = options.name ?? "shell";
  if (typeof name !== "string" || name === "") fail("'name' must be a non-empty string");
  const user = options.user ?? "agent";
  if (typeof user !== "string" || !/^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(user)) {
    fail(`'user' must be a plain user name, got '${String(user)}'`);
  }
  return {
    name,
    user,
    cwd: resolveCwd(options.cwd ?? "/workspace", isolation, root),
    network: options.network === true,
    env: resolveEnv(options.env),
    isolation,
    drop: resolveDrop(options, serverUid),
    limits: resolveLimits(options.limits),
    trackFiles: options.trackFiles !== false,
    bwrapPath: options.bwrapPath ?? "bwrap",
    execTimeout:
      options.execTimeout === undefined ? 600 : positiveSeconds(options.execTimeout, "execTimeout"),
    snapshot: options.snapshot !== false,
  };
}

export function positiveSeconds(value: unknown, what: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    fail(`'${what}' must be a positive number of seconds, got ${String(value)}`);
  }
  return value;
}
