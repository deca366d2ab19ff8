// Client credentials for an ssh/2 capability: params.client_key, else params.client_key_path, else an SSH agent.
import { readFile } from "node:fs/promises";
import ssh2, { type ConnectConfig } from "ssh2";
import { errorMessage, HudError } from "../../protocol/errors.ts";
import type { Capability } from "../capability.ts";

/** The private key (or agent) to authenticate with, from params.client_key, else params.client_key_path. */
export async function clientCredentials(
  capability: Capability,
): Promise<Pick<ConnectConfig, "privateKey" | "agent">> {
  const { client_key: key, client_key_path: path } = capability.params;
  if (typeof key === "string" && key.trim() !== "")
    return { privateKey: privateKey(key, "client_key", capability) };
  if (typeof path === "string" && path !== "") {
    let text: Buffer;
    try {
      text = await readFile(path);
    } catch (error) {
      throw new HudError(
        `capability '${capability.name}': cannot read params.client_key_path '${path}': ${errorMessage(error)}`,
      );
    }
    return { privateKey: privateKey(text, `client_key_path '${path}'`, capability) };
  }
  const agent = process.env.SSH_AUTH_SOCK;
  if (agent) return { agent };
  throw new HudError(
    `capability '${capability.name}' has no client key (params.client_key or params.client_key_path) and no SSH agent is running`,
  );
}

function privateKey(key: string | Buffer, source: string, capability: Capability): string | Buffer {
  const parsed = ssh2.utils.parseKey(key);
  const first = Array.isArray(parsed) ? parsed[0] : parsed;
  if (first === undefined || first instanceof Error || !first.isPrivateKey()) {
    const reason = first instanceof Error ? `: ${first.message}` : "";
    throw new HudError(
      `capability '${capability.name}': params.${source} is not an unencrypted private key${reason}`,
    );
  }
  return key;
}
