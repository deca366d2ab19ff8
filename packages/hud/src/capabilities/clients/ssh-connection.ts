// One SSH connection for SshClient: dial with the host key check, classify failures, retry the ones worth it.
import { setTimeout as sleep } from "node:timers/promises";
import { Client, type ConnectConfig, type SFTPWrapper } from "ssh2";
import { HudError } from "../../protocol/errors.ts";
import { fingerprint, type HostKey } from "./ssh-host-key.ts";

export interface SshSession {
  client: Client;
  /** The connection is gone (closed by either side, or never finished the handshake). */
  dropped: boolean;
  /** The SFTP channel once asked for (undefined inside: the server offers no SFTP). */
  sftp: Promise<SFTPWrapper | undefined> | undefined;
}

export interface DialTarget {
  config: ConnectConfig;
  /** `capability 'name' (host:port)`, for errors. */
  label: string;
  /** The key the server must present; undefined skips the check (the caller opted out). */
  hostKey: HostKey | undefined;
}

/** A failure worth another attempt: the TCP connection or the handshake did not get through. */
class ConnectAttemptError extends Error {}

/** Sleeps between the 3 attempts, in seconds (as the Python SDK's open()). */
const CONNECT_SLEEPS = [0.25, 0.5];

/** Connect and authenticate, trying 3 times when the connection is refused, times out or drops before the handshake. */
export async function dialWithRetry(target: DialTarget, stopped: () => boolean): Promise<SshSession> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await dial(target);
    } catch (error) {
      if (!(error instanceof ConnectAttemptError)) throw error;
      const pause = CONNECT_SLEEPS[attempt];
      if (pause === undefined || stopped()) {
        throw new HudError(`cannot connect to ssh ${target.label}: ${error.message}`);
      }
      await sleep(pause * 1000);
    }
  }
}

function dial({ config, label, hostKey }: DialTarget): Promise<SshSession> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    const session: SshSession = { client, dropped: false, sftp: undefined };
    let settled = false;
    let refusal: HudError | undefined;
    const fail = (error: Error) => {
      if (settled) return;
      settled = true;
      client.destroy();
      reject(error);
    };
    // Stays on for the connection's life: ssh2 reports later failures as errors, then closes.
    client.on("error", (error: Error & { level?: string }) => {
      if (refusal) return fail(refusal);
      // "Connection lost before handshake": e.g. a forwarder whose tunnel the environment refused.
      if (
        error.level === "client-socket" ||
        error.level === "client-timeout" ||
        error.message === "Connection lost before handshake"
      ) {
        return fail(new ConnectAttemptError(error.message));
      }
      if (error.level === "client-authentication") {
        return fail(
          new HudError(
            `ssh ${label} refused user '${config.username}' with the given client key ` +
              "(params.client_key / client_key_path)",
          ),
        );
      }
      fail(new HudError(`ssh ${label}: ${error.message}`));
    });
    client.on("close", () => {
      session.dropped = true;
      fail(refusal ?? new ConnectAttemptError("connection closed before the SSH handshake finished"));
    });
    client.once("ready", () => {
      settled = true;
      resolve(session);
    });
    client.connect({
      ...config,
      hostVerifier: (key: Buffer) => {
        if (!hostKey || key.equals(hostKey.blob)) return true;
        refusal = new HudError(
          `ssh host key mismatch for ${label}: expected ${fingerprint(hostKey.blob)} ` +
            `(params.host_pubkey), server presented ${fingerprint(key)}`,
        );
        return false;
      },
    });
    // Commands are small request/response exchanges: do not let Nagle hold them back.
    client.setNoDelay(true);
  });
}
