// A unix socket path in a fresh private directory, for a control channel that only this user can reach.
import { mkdtempSync, rmdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";

export interface PrivateSocket {
  /** Where to listen: `<dir>/control.sock`, the directory made with mode 0700. */
  readonly path: string;
  /** Remove the directory and whatever is left in it. */
  remove(): void;
}

/** Directories handed out and not removed yet. */
const live = new Set<string>();
let hooked = false;

const DIR_PREFIX = "hud-";
const SOCKET_NAME = "control.sock";
/** A directory mkdtemp made from DIR_PREFIX (six random characters follow). */
const PRIVATE_DIR = new RegExp(`^${DIR_PREFIX}[A-Za-z0-9]{6}$`);

/** The longest socket path every platform accepts (sun_path is 104 or 108 bytes with its NUL). */
const MAX_PATH_BYTES = 103;

/**
 * A private socket path, or undefined where unix sockets don't fit: on Windows, when the temporary directory
 * cannot be written, or when its path is too long for a socket (callers then listen on loopback TCP).
 */
export function privateSocket(): PrivateSocket | undefined {
  if (process.platform === "win32") return undefined;
  let dir: string;
  try {
    dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
  } catch {
    return undefined;
  }
  const remove = () => {
    live.delete(dir);
    rmSync(dir, { recursive: true, force: true });
  };
  const path = join(dir, SOCKET_NAME);
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) {
    remove();
    return undefined;
  }
  if (!hooked) {
    hooked = true;
    // Leases a runner forgot to dispose (their servers are stopped by the process-group exit hook).
    process.once("exit", () => {
      for (const left of live) rmSync(left, { recursive: true, force: true });
    });
  }
  live.add(dir);
  return { path, remove };
}

/**
 * For a server whose runner died without disposing its lease (killed outright): remove the private directory
 * around `socketPath` once the server has removed its socket — only a directory of privateSocket's making
 * (`hud-XXXXXX/control.sock`) and only if it is empty, so nothing else is ever touched.
 */
export function removeOrphanedSocketDir(socketPath: string): void {
  const dir = dirname(socketPath);
  if (basename(socketPath) !== SOCKET_NAME || !PRIVATE_DIR.test(basename(dir))) return;
  try {
    rmdirSync(dir);
  } catch {
    // Not empty, or already gone: leave it.
  }
}
