// The workspace's start-time snapshot: a private copy of the root, and putting listed paths back from it.
// Restoring runs inside the sandbox as the agent (the snapshot streamed in as a tar archive), never as the host
// user on the live root: the agent may have planted symlinks there, and a privileged rm or copy on the host would
// follow them out of the root. As the agent, a restore can touch only what the agent itself could.
import { execFile, spawn } from "node:child_process";
import { lstat } from "node:fs/promises";
import { isAbsolute, join, posix } from "node:path";
import { promisify } from "node:util";
import { HudError } from "../../protocol/errors.ts";
import type { Sandbox } from "./sandbox.ts";
import { TOOLS } from "./sandbox-argv.ts";

const run = promisify(execFile);

/** Copy `root` to `dest` (which must not exist) with modes, owners, times and links kept; cheap on reflink filesystems. */
export async function copyTree(root: string, dest: string): Promise<void> {
  try {
    await run("cp", ["-a", "--reflink=auto", "--", root, dest], { maxBuffer: 64 * 1024 });
  } catch (error) {
    const said = String((error as { stderr?: unknown }).stderr ?? "").trim();
    const reason = said.split("\n")[0] || (error as Error).message;
    throw new HudError(
      `workspace: cannot snapshot the root: ${reason} (pass snapshot: false to start without one)`,
    );
  }
}

/** `path` relative to the root, normalized ("tests/" → "tests"); one clear error for anything else. */
export function pristinePath(path: unknown): string {
  if (typeof path !== "string" || path === "" || path.includes("\0")) {
    throw new HudError(`workspace.restore: paths must be non-empty strings (got ${JSON.stringify(path)})`);
  }
  const rel = posix.normalize(path).replace(/\/+$/, "");
  if (isAbsolute(path) || rel === ".." || rel.startsWith("../")) {
    throw new HudError(
      `workspace.restore: '${path}' is not inside the workspace; give paths relative to its root, e.g. "tests/"`,
    );
  }
  if (rel === "." || rel === "") {
    throw new HudError(`workspace.restore: '${path}' is the whole root; list the paths to restore`);
  }
  return rel;
}

/** The listed paths, normalized, without repeats or paths inside another listed path. */
function outermost(paths: readonly unknown[]): string[] {
  const rels = [...new Set(paths.map(pristinePath))].sort();
  return rels.filter((rel) => !rels.some((other) => rel.startsWith(`${other}/`)));
}

/** Whether the snapshot holds `rel`; a path reached through a symlink in the snapshot is refused. */
async function inSnapshot(snapshot: string, rel: string): Promise<boolean> {
  const parts = rel.split("/");
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join("/");
    const stat = await lstat(join(snapshot, prefix)).catch(() => undefined);
    if (stat === undefined) return false;
    if (i === parts.length) return true;
    if (stat.isSymbolicLink()) {
      throw new HudError(
        `workspace.restore: '${rel}' lies under the symlink '${prefix}' in the snapshot; list the link's target instead`,
      );
    }
    if (!stat.isDirectory()) return false;
  }
  return false;
}

/**
 * Run in the sandbox as the agent: `$1` is the root, then `+path` (restore from the tar archive on stdin) or
 * `-path` (absent from the snapshot: delete). A restored path's ancestors that are no longer directories (say, a
 * symlink the agent put in their place) are removed first, so tar recreates them as the directories they were.
 */
const RESTORE_SCRIPT = `set -e
cd -- "$1"; shift
extract=0
for arg in "$@"; do
  path=\${arg:1}
  if [ "\${arg:0:1}" = + ]; then
    extract=1
    rest=$path; ancestor=
    while [[ $rest == */* ]]; do
      ancestor=\${ancestor:+$ancestor/}\${rest%%/*}; rest=\${rest#*/}
      if [ -L "$ancestor" ] || { [ -e "$ancestor" ] && [ ! -d "$ancestor" ]; }; then rm -rf -- "$ancestor"; fi
    done
  fi
  rm -rf -- "$path"
done
if [ "$extract" = 1 ]; then exec tar -x -p --no-same-owner -f -; fi`;

function firstLine(chunks: Buffer[]): string {
  return Buffer.concat(chunks).toString("utf8").trim().split("\n")[0] ?? "";
}

/** Collect the first few chunks of a stream (enough for an error line) and drain the rest. */
function errorText(stream: NodeJS.ReadableStream): Buffer[] {
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => {
    if (chunks.length < 8) chunks.push(chunk);
  });
  return chunks;
}

interface Archive {
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  said: Buffer[];
  kill: () => void;
}

/** `tar -c` of `paths` of the snapshot, streamed into `into`. */
function startArchive(snapshot: string, paths: string[], into: NodeJS.WritableStream): Archive {
  const child = spawn("tar", ["-C", snapshot, "-c", "-f", "-", "--", ...paths], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout.pipe(into);
  return {
    exited: new Promise((resolve) => {
      child.once("error", () => resolve({ code: 127, signal: null }));
      child.once("close", (code, signal) => resolve({ code, signal }));
    }),
    said: errorText(child.stderr),
    kill: () => child.kill("SIGKILL"),
  };
}

/**
 * Put `paths` (relative to the root) back as they are in `snapshot`: what is there now is deleted, and a path the
 * snapshot does not hold stays deleted. Restored files belong to the agent, as after `start()`.
 */
export async function restoreFromSnapshot(
  sandbox: Sandbox,
  cwd: string,
  snapshot: string,
  paths: readonly unknown[],
  timeout: number,
): Promise<void> {
  if (!Array.isArray(paths)) throw new HudError("workspace.restore: 'paths' must be an array of paths");
  const rels = outermost(paths);
  if (rels.length === 0) return;
  const present = new Set<string>();
  for (const rel of rels) if (await inSnapshot(snapshot, rel)) present.add(rel);
  const args = rels.map((rel) => (present.has(rel) ? `+${rel}` : `-${rel}`));
  const proc = await sandbox.spawn({
    program: [TOOLS.bash, "-c", RESTORE_SCRIPT, "hud-restore", cwd, ...args],
    stdin: present.size > 0,
  });
  const said = errorText(proc.stderr);
  proc.stdout.resume();
  const archive = present.size > 0 ? startArchive(snapshot, [...present], proc.stdin!) : undefined;
  // A restore that stopped reading (it failed) must not leave the archive blocked on a full pipe until the timeout.
  void proc.exited.then(() => {
    const late = setTimeout(() => archive?.kill(), 1000);
    void archive?.exited.then(() => clearTimeout(late));
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill();
    archive?.kill();
  }, timeout * 1000);
  const ok = { code: 0, signal: null };
  const [status, archived] = await Promise.all([proc.exited, archive?.exited ?? Promise.resolve(ok)]);
  clearTimeout(timer);
  await proc.outputDone();
  const what = rels.map((rel) => `'${rel}'`).join(", ");
  if (timedOut) throw new HudError(`workspace.restore: restoring ${what} took over ${timeout} s`);
  const unreadable = () =>
    new HudError(`workspace.restore: cannot read the snapshot: ${firstLine(archive!.said) || "tar failed"}`);
  // tar's own error is the cause; killed (by a broken pipe, or by us) it only follows the restore's failure.
  if (archived.code !== null && archived.code !== 0) throw unreadable();
  if (status.code !== 0) {
    const reason = status.error?.message ?? (firstLine(said) || `exit ${status.code ?? status.signal}`);
    throw new HudError(`workspace.restore: cannot restore ${what}: ${reason}`);
  }
  if (archived.code !== 0) throw unreadable();
}
