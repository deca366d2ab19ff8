// Per-workspace SSH keys (ed25519 host and client pairs), written to a private directory outside the root.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import ssh2 from "ssh2";
import { HudError } from "../../protocol/errors.ts";

export interface WorkspaceKeys {
  /** The 0700 directory holding the key files. */
  dir: string;
  hostPrivate: string;
  /** `ssh-ed25519 AAAA…`: what clients check the server against. */
  hostPublic: string;
  clientPrivate: string;
  clientPublic: string;
  /** The client's private key file (0600), for `ssh -i`. */
  clientKeyPath: string;
}

function inside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === "" || (!rel.startsWith("..") && !rel.startsWith("/"));
}

/** A fresh key directory that is not inside `root` (the agent must never see the keys). */
async function keyDirectory(root: string): Promise<string> {
  for (const base of [tmpdir(), homedir()]) {
    const candidate = resolve(base);
    if (!inside(candidate, root)) return mkdtemp(join(candidate, "hud-workspace-keys-"));
  }
  throw new HudError(
    `workspace: root '${root}' contains both the temp and home directories; choose a smaller root`,
  );
}

/**
 * An ed25519 pair in OpenSSH format. ssh2's generator mangles the ~1 in 256 keys whose public half starts
 * with a zero byte (both halves then fail to parse), so such pairs are drawn again.
 */
export function ed25519Pair(): { private: string; public: string } {
  for (let attempt = 0; attempt < 64; attempt++) {
    const pair = ssh2.utils.generateKeyPairSync("ed25519");
    const parsed = ssh2.utils.parseKey(pair.public);
    if (!(parsed instanceof Error) && !(ssh2.utils.parseKey(pair.private) instanceof Error)) return pair;
  }
  throw new HudError("workspace: could not generate an ed25519 key pair");
}

export async function generateKeys(root: string): Promise<WorkspaceKeys> {
  const dir = await keyDirectory(root);
  try {
    const host = ed25519Pair();
    const client = ed25519Pair();
    const clientKeyPath = join(dir, "client_ed25519");
    await writeFile(join(dir, "host_ed25519"), host.private, { mode: 0o600 });
    await writeFile(clientKeyPath, client.private, { mode: 0o600 });
    await writeFile(`${clientKeyPath}.pub`, `${client.public}\n`, { mode: 0o644 });
    return {
      dir,
      hostPrivate: host.private,
      hostPublic: host.public.trim(),
      clientPrivate: client.private,
      clientPublic: client.public.trim(),
      clientKeyPath,
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
