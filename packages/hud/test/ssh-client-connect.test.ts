// SshClient connections against Debian's sshd: host key checks, credentials, retries, dropped connections.
import { execFileSync } from "node:child_process";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Capability } from "../src/capabilities/capability.ts";
import { SshClient } from "../src/capabilities/clients/ssh.ts";
import { useCleanup } from "./support/cleanup.ts";
import { type Sshd, sshdUnavailable, startSshd } from "./support/sshd.ts";
import { unusedPort } from "./support/tcp-backends.ts";
import { waitUntil } from "./support/wait.ts";

const defer = useCleanup();
let sshd: Sshd;
let otherKeys: string;

function capability(overrides: Partial<Parameters<typeof Capability.ssh>[0]> = {}): Capability {
  return Capability.ssh({
    url: sshd.url,
    user: sshd.user,
    hostPubkey: sshd.hostPubkey,
    clientKey: sshd.clientKey,
    ...overrides,
  });
}

async function connected(cap: Capability = capability()): Promise<SshClient> {
  const client = await SshClient.connect(cap);
  defer(() => client.close());
  return client;
}

describe.skipIf(sshdUnavailable())("SshClient.connect against Debian sshd", () => {
  beforeAll(async () => {
    sshd = await startSshd();
    otherKeys = await mkdtemp(join(tmpdir(), "hud-ssh-keys-"));
    execFileSync("ssh-keygen", [
      "-q",
      "-t",
      "ed25519",
      "-N",
      "",
      "-C",
      "other",
      "-f",
      join(otherKeys, "key"),
    ]);
  });
  afterAll(async () => {
    await sshd?.stop();
    if (otherKeys) await rm(otherKeys, { recursive: true, force: true });
  });

  it("verifies the host key against params.host_pubkey and refuses a different one, naming both fingerprints", async () => {
    const wrong = readFileSync(join(otherKeys, "key.pub"), "utf8");
    const expected = execFileSync("ssh-keygen", ["-lf", join(otherKeys, "key.pub")], { encoding: "utf8" });
    const presented = execFileSync("ssh-keygen", ["-lf", "-"], { input: sshd.hostPubkey, encoding: "utf8" });
    const error = await SshClient.connect(capability({ hostPubkey: wrong })).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe("HudError");
    expect((error as Error).message).toBe(
      `ssh host key mismatch for capability 'shell' (127.0.0.1:${sshd.port}): ` +
        `expected ${expected.split(" ")[1]} (params.host_pubkey), server presented ${presented.split(" ")[1]}`,
    );
  });

  it("refuses a capability without host_pubkey unless told to skip the check", async () => {
    const cap = new Capability({
      name: "box",
      protocol: "ssh/2",
      url: sshd.url,
      params: { user: sshd.user, client_key: sshd.clientKey },
    });
    await expect(SshClient.connect(cap)).rejects.toThrow(
      "capability 'box' publishes no params.host_pubkey, so its server cannot be verified " +
        "(pass { insecureSkipHostKeyCheck: true } to connect anyway)",
    );
    const client = await SshClient.connect(cap, { insecureSkipHostKeyCheck: true });
    defer(() => client.close());
    expect((await client.exec("echo ok")).stdout).toBe("ok\n");
  });

  it("reads the key from client_key_path, and the user from the url when params has none", async () => {
    const cap = new Capability({
      name: "shell",
      protocol: "ssh/2",
      url: `ssh://${sshd.user}@127.0.0.1:${sshd.port}`,
      params: { host_pubkey: sshd.hostPubkey, client_key_path: sshd.clientKeyPath },
    });
    const client = await connected(cap);
    expect(client.user).toBe(sshd.user);
    expect((await client.exec("id -un")).stdout).toBe(`${sshd.user}\n`);
  });

  it("fails clearly on a key the server does not accept, a bad key, or a missing key file", async () => {
    const other = readFileSync(join(otherKeys, "key"), "utf8");
    await expect(SshClient.connect(capability({ clientKey: other }))).rejects.toThrow(
      `ssh capability 'shell' (127.0.0.1:${sshd.port}) refused user '${sshd.user}' with the given client key`,
    );
    await expect(SshClient.connect(capability({ clientKey: "not a key" }))).rejects.toThrow(
      "capability 'shell': params.client_key is not an unencrypted private key",
    );
    await expect(
      SshClient.connect(capability({ clientKey: undefined, clientKeyPath: "/no/such/key" })),
    ).rejects.toThrow("capability 'shell': cannot read params.client_key_path '/no/such/key'");
    await expect(SshClient.connect(capability({ hostPubkey: "ssh-ed25519 nonsense" }))).rejects.toThrow(
      "capability 'shell': params.host_pubkey is not an OpenSSH public key line",
    );
  });

  it("tries 3 times when the connection is refused or closes before the handshake, then fails with one line", async () => {
    const port = await unusedPort();
    await expect(SshClient.connect(capability({ url: `127.0.0.1:${port}` }))).rejects.toThrow(
      new RegExp(`^cannot connect to ssh capability 'shell' \\(127\\.0\\.0\\.1:${port}\\): .*ECONNREFUSED`),
    );
    let accepted = 0;
    const hangUp = createServer((socket) => {
      accepted++;
      socket.destroy();
    });
    hangUp.listen(0, "127.0.0.1");
    await once(hangUp, "listening");
    defer(() => new Promise((resolve) => hangUp.close(resolve)));
    const hangUpPort = (hangUp.address() as AddressInfo).port;
    await expect(SshClient.connect(capability({ url: `127.0.0.1:${hangUpPort}` }))).rejects.toThrow(
      `cannot connect to ssh capability 'shell' (127.0.0.1:${hangUpPort}): `,
    );
    expect(accepted).toBe(3);
  });

  it("rejects a command whose connection drops, then reconnects on the next call", async () => {
    const client = await connected();
    const running = client.exec("echo started; sleep 20");
    const out = client.exec("echo second");
    expect((await out).stdout).toBe("second\n");
    await new Promise((resolve) => setTimeout(resolve, 200));
    sshd.dropConnections();
    await expect(running).rejects.toThrow(
      `ssh connection to capability 'shell' (127.0.0.1:${sshd.port}) was lost while running 'echo started; sleep 20'`,
    );
    expect((await client.exec("echo again")).stdout).toBe("again\n");
    await expect(client.listDir("/")).resolves.toContain("tmp");
  });

  it("close() ends the connection; later calls fail clearly", async () => {
    const client = await SshClient.connect(capability());
    await client.close();
    await client.close();
    await expect(client.exec("true")).rejects.toThrow("ssh client for capability 'shell' is closed");
  });

  it("await using closes the client", async () => {
    let outer: SshClient | undefined;
    {
      await using client = await SshClient.connect(capability());
      outer = client;
      expect((await client.exec("echo hi")).stdout).toBe("hi\n");
    }
    await expect(outer.exec("true")).rejects.toThrow("is closed");
  });

  it("works through a root login too (OpenSSH then ignores signals: close still ends the channel)", async () => {
    const root = await startSshd({ root: true });
    defer(() => root.stop());
    const client = await connected(
      Capability.ssh({ url: root.url, user: "root", hostPubkey: root.hostPubkey, clientKey: root.clientKey }),
    );
    expect((await client.exec("id -u")).stdout).toBe("0\n");
    const result = await client.exec("sleep 0.2", { timeout: 0.05 });
    expect(result.timedOut).toBe(true);
    await waitUntil(
      async () => (await client.exec("echo alive")).stdout === "alive\n",
      "the connection is usable",
    );
  });
});
