// Pure argv builders for the sandbox: the persistent bubblewrap, joining it, the spawner that forks commands in
// it, and the per-command wrapper (used when there is no spawner).
import type { ResolvedLimits } from "./options.ts";

/** Tools inside the sandbox (the host's /usr, bind-mounted read-only). */
export const TOOLS = {
  bash: "/bin/bash",
  env: "/usr/bin/env",
  prlimit: "/usr/bin/prlimit",
  setpriv: "/usr/bin/setpriv",
  setsid: "/usr/bin/setsid",
  script: "/usr/bin/script",
  sleep: "/usr/bin/sleep",
  stty: "/usr/bin/stty",
  sh: "/bin/sh",
} as const;

/** HOME inside the bubblewrap sandbox: on the private /tmp, so dotfiles never land in the workspace. */
export const SANDBOX_HOME = "/tmp/home";
export const SANDBOX_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
/** The server's own Node executable, mounted read-only in the sandbox to run the spawner. */
export const SANDBOX_NODE = "/run/hud/node";

export interface BwrapSpec {
  /** Absolute host directory mounted writable at `cwd`. */
  root: string;
  cwd: string;
  network: boolean;
  hostname: string;
  tmpSize: number;
  /** Owner of $HOME when commands drop to another uid. */
  drop: { uid: number; gid: number } | undefined;
  /** Host files mounted over /etc/passwd and /etc/group (they name the sandbox user). */
  identity?: { passwd: string; group: string };
  /** The Node executable to mount at SANDBOX_NODE (for the spawner). */
  node?: string;
  /**
   * The server is not root: bubblewrap needs a user namespace. Commands are that namespace's uid 0 (the
   * server's own uid outside, no capabilities), which also keeps bwrap from nesting a second user namespace
   * that nsenter could not join.
   */
  userns?: boolean;
}

/**
 * The persistent sandbox: fresh pid/ipc/uts (and net unless `network`) namespaces, read-only system
 * directories, a private /tmp, the root writable at `cwd`, our Node at SANDBOX_NODE for the spawner. Its command only creates $HOME and waits;
 * commands join it (joinArgv) so background processes and loopback servers outlive a single command.
 * `--info-fd 3` reports the sandbox's pid for joining.
 */
export function bwrapArgv(spec: BwrapSpec): string[] {
  const home = spec.drop
    ? `mkdir -m 700 ${SANDBOX_HOME} && chown ${spec.drop.uid}:${spec.drop.gid} ${SANDBOX_HOME}`
    : `mkdir -m 700 ${SANDBOX_HOME}`;
  return [
    ...(spec.userns ? ["--unshare-user", "--uid", "0", "--gid", "0"] : []),
    "--die-with-parent",
    "--unshare-pid",
    "--unshare-ipc",
    "--unshare-uts",
    "--unshare-cgroup-try",
    ...(spec.network ? [] : ["--unshare-net"]),
    "--hostname",
    spec.hostname,
    "--ro-bind",
    "/usr",
    "/usr",
    "--ro-bind",
    "/etc",
    "/etc",
    ...(spec.identity
      ? ["--ro-bind", spec.identity.passwd, "/etc/passwd", "--ro-bind", spec.identity.group, "/etc/group"]
      : []),
    ...(spec.node ? ["--ro-bind", spec.node, SANDBOX_NODE] : []),
    "--symlink",
    "usr/bin",
    "/bin",
    "--symlink",
    "usr/sbin",
    "/sbin",
    "--symlink",
    "usr/lib",
    "/lib",
    "--symlink",
    "usr/lib64",
    "/lib64",
    "--proc",
    "/proc",
    "--dev",
    "/dev",
    "--perms",
    "1777",
    "--size",
    String(spec.tmpSize),
    "--tmpfs",
    "/tmp",
    "--bind",
    spec.root,
    spec.cwd,
    // The sandbox's own root (a tmpfs holding the mount points) is read-only: it belongs to uid 0 of the
    // sandbox, which is the command user when there is no uid drop, and would be unbounded memory.
    "--remount-ro",
    "/",
    "--chdir",
    spec.cwd,
    "--clearenv",
    "--setenv",
    "PATH",
    SANDBOX_PATH,
    "--new-session",
    "--info-fd",
    "3",
    "--",
    TOOLS.sh,
    "-c",
    `${home} && exec ${TOOLS.sleep} infinity`,
  ];
}

/**
 * Enter the persistent sandbox (run on the host): its namespaces, its root, its working directory
 * (the sandbox's pid 1 sits in `cwd`). Unprivileged servers also enter bubblewrap's user namespace.
 */
export function joinArgv(spec: { pid: number; network: boolean; userns: boolean }): string[] {
  return [
    "--target",
    String(spec.pid),
    ...(spec.userns ? ["--user", "--preserve-credentials"] : []),
    "--mount",
    "--uts",
    "--ipc",
    ...(spec.network ? [] : ["--net"]),
    "--pid",
    "--root",
    "--wd",
    "--",
  ];
}

export interface CommandSpec {
  limits: ResolvedLimits;
  /** Switch to this uid/gid (the server runs as root). */
  drop: { uid: number; gid: number } | undefined;
  /** Whether the process may change its capability sets (root, or inside bubblewrap's user namespace). */
  privileged: boolean;
  env: Record<string, string>;
}

/** prlimit's options for the limits; RLIMIT_AS only with `memory` (Node itself cannot start under a small one). */
function rlimits(limits: ResolvedLimits, memory: boolean): string[] {
  return [
    `--nproc=${limits.processes}`,
    `--fsize=${limits.fileSize}`,
    `--cpu=${limits.cpuTime}`,
    `--nofile=${limits.openFiles}`,
    ...(memory && limits.memory !== undefined ? [`--as=${limits.memory}`] : []),
  ];
}

/** Resource limits, then the uid drop and no-new-privs, then exactly `env`: the wrapper of a command without spawner. */
export function commandArgv(spec: CommandSpec, program: readonly string[]): string[] {
  const identity = spec.drop
    ? [`--reuid=${spec.drop.uid}`, `--regid=${spec.drop.gid}`, "--clear-groups"]
    : [];
  const caps = spec.privileged ? ["--inh-caps=-all", "--bounding-set=-all"] : [];
  const env = Object.entries(spec.env).map(([key, value]) => `${key}=${value}`);
  return [
    TOOLS.prlimit,
    ...rlimits(spec.limits, true),
    "--",
    TOOLS.setpriv,
    ...identity,
    ...caps,
    "--no-new-privs",
    "--",
    TOOLS.env,
    "-i",
    "--",
    ...env,
    ...program,
  ];
}

/**
 * The spawner (run joined to the sandbox): the limits but RLIMIT_AS, no_new_privs, no inheritable capabilities,
 * and a bounding set of nothing — or, when commands drop to a uid, only CAP_SETUID and CAP_SETGID, which it
 * needs to switch each command's uid and groups; a command loses them with its uid change and, under
 * no_new_privs, can never regain one. Its environment is what we spawn it with (nothing of the runner's).
 */
export function spawnerArgv(
  spec: { limits: ResolvedLimits; drop: CommandSpec["drop"] },
  program: readonly string[],
): string[] {
  return [
    TOOLS.prlimit,
    ...rlimits(spec.limits, false),
    "--",
    TOOLS.setpriv,
    "--inh-caps=-all",
    spec.drop ? "--bounding-set=-all,+setuid,+setgid" : "--bounding-set=-all",
    "--no-new-privs",
    "--",
    ...program,
  ];
}

/** A command forked by the spawner: `program`, under RLIMIT_AS first when `memory` is set. */
export function spawnedArgv(limits: ResolvedLimits, program: readonly string[]): string[] {
  return limits.memory === undefined
    ? [...program]
    : [TOOLS.prlimit, `--as=${limits.memory}`, "--", ...program];
}

export interface PtySize {
  cols: number;
  rows: number;
}

/** Run `program` on a new pseudo-terminal (util-linux `script`), sized before the program starts. */
export function ptyArgv(program: readonly string[], size: PtySize): string[] {
  const setSize =
    size.cols > 0 && size.rows > 0 ? `${TOOLS.stty} rows ${size.rows} cols ${size.cols} 2>/dev/null; ` : "";
  return [
    TOOLS.script,
    "-q",
    "-f",
    "-e",
    "-c",
    `${setSize}exec ${program.map(shellQuote).join(" ")}`,
    "/dev/null",
  ];
}

/** Quote one word for a POSIX shell. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./=:@%+-]+$/.test(word) ? word : `'${word.replaceAll("'", `'"'"'`)}'`;
}

/** The environment of every command: a fixed minimal set, then the author's `env`, then the session's extras. */
export function commandEnv(options: {
  user: string;
  home: string;
  extra: Record<string, string>;
  session?: Record<string, string>;
}): Record<string, string> {
  return {
    PATH: SANDBOX_PATH,
    HOME: options.home,
    USER: options.user,
    LOGNAME: options.user,
    SHELL: TOOLS.bash,
    LANG: "C.UTF-8",
    ...options.extra,
    ...(options.session ?? {}),
  };
}

/** The host's /etc/passwd text with `name` (and nothing else) at `uid`:`gid`, home $HOME, shell bash. */
export function passwdWith(host: string, user: { name: string; uid: number; gid: number }): string {
  const kept = host.split("\n").filter((line) => {
    const [name, , uid] = line.split(":");
    return line.trim() !== "" && name !== user.name && uid !== String(user.uid);
  });
  return [
    ...kept,
    `${user.name}:x:${user.uid}:${user.gid}:${user.name}:${SANDBOX_HOME}:${TOOLS.bash}`,
    "",
  ].join("\n");
}

/** The host's /etc/group text with a group `name` at `gid`. */
export function groupWith(host: string, group: { name: string; gid: number }): string {
  const kept = host.split("\n").filter((line) => {
    const [name, , gid] = line.split(":");
    return line.trim() !== "" && name !== group.name && gid !== String(group.gid);
  });
  return [...kept, `${group.name}:x:${group.gid}:`, ""].join("\n");
}
