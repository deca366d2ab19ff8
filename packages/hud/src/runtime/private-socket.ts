// A unix socket path in a fresh private directory, for a control channel that only this user can reach.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface PrivateSocket {
  /** Where to listen: `<dir>/control.sock`, the directory made with mode 0700. */
  readonly path: string;
  /** Remove the directory and whatever is left in it. */
  remove(): void;
}

/** The longest socket path every platform accepts (sun_path is 104 or 108 bytes with its NUL). */
const MAX_PATH_BYTES = 103;

/**
 * A private socket path, or undefined where unix sockets don't fit: on Windows, or when the temporary
 * directory's path is too long for one (callers then listen on loopback TCP).
 */
export function privateSocket(): PrivateSocket | undefined {
  if (process.platform === "win32") return undefined;
  const dir = mkdtempSync(join(tmpdir(), "hud-"));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  const path = join(dir, "control.sock");
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) {
    remove();
    return undefined;
  }
  return { path, remove };
}
