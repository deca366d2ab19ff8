// The host key a capability publishes (`params.host_pubkey`, an OpenSSH public key line) and how to check it.
import { createHash } from "node:crypto";
import ssh2, { type ServerHostKeyAlgorithm } from "ssh2";
import { HudError } from "../../protocol/errors.ts";

export interface HostKey {
  /** Key type, e.g. "ssh-ed25519". */
  type: string;
  /** The key blob in SSH wire format (what the server sends during key exchange). */
  blob: Buffer;
}

/** Parse `"ssh-ed25519 AAAA... [comment]"`; HudError naming the capability when it is not a public key. */
export function parseHostKey(line: string, capability: string): HostKey {
  const parsed = ssh2.utils.parseKey(line.trim());
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key === undefined || key instanceof Error || key.isPrivateKey()) {
    throw new HudError(
      `capability '${capability}': params.host_pubkey is not an OpenSSH public key line ("ssh-ed25519 AAAA...")`,
    );
  }
  return { type: key.type, blob: key.getPublicSSH() };
}

/** OpenSSH's fingerprint format: `SHA256:<unpadded base64>`. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** Host key algorithms to offer so the server presents the key of the published type. */
export function hostKeyAlgorithms(type: string): ServerHostKeyAlgorithm[] {
  return type === "ssh-rsa" ? ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"] : [type as ServerHostKeyAlgorithm];
}
