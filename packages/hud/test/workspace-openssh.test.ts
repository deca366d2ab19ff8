// OpenSSH's own ssh, scp and sftp against a workspace: directly, and through connect()'s forwarder tunnel.
import { readFileSync } from "node:fs";
import { readFile, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { Environment } from "hud";
import { serveForTest } from "hud/testing";
import ssh2 from "ssh2";
import { describe, expect, it } from "vitest";
import { ed25519Pair } from "../src/environment/workspace/keys.ts";
import { Workspace } from "../src/environment/workspace/workspace.ts";
import { type SshTarget, scp, scratch, sftp, ssh, sshTarget } from "./fixtures/workspace/openssh.ts";
import { useCleanup } from "./support/cleanup.ts";

const defer = useCleanup();

function portOf(url: string): number {
  return Number(/:(\d+)$/.exec(url)![1]);
}

/** A started workspace reached directly on its own port. */
async function direct(): Promise<{ ws: Workspace; target: SshTarget; root: string }> {
  const root = await scratch(defer, "hud-ws-root-");
  const ws = new Workspace(root);
  defer(() => ws.stop());
  const cap = await ws.start();
  const target = await sshTarget(defer, portOf(cap.url), ws.clientKeyPath!, String(cap.params.host_pubkey));
  return { ws, target, root };
}

/** An environment with `env.workspace(root)` served on the control channel; ssh goes through the client's forwarder. */
async function tunneled(): Promise<{ target: SshTarget; root: string }> {
  const root = await scratch(defer, "hud-ws-root-");
  const env = new Environment({ name: "ws-tunnel" });
  const ws = env.workspace(root);
  const served = await serveForTest(env);
  defer(() => served[Symbol.asyncDispose]());
  const binding = served.client.binding("shell");
  expect(binding.url).not.toBe(ws.capability!.url);
  const target = await sshTarget(
    defer,
    portOf(binding.url),
    String(binding.params.client_key_path),
    String(binding.params.host_pubkey),
  );
  return { target, root };
}

for (const [how, setup] of [
  ["directly", direct],
  ["through the control channel's tunnel", tunneled],
] as const) {
  describe(`OpenSSH clients ${how}`, () => {
    it("ssh runs a command and returns its output and exit status", async () => {
      const { target } = await setup();
      const hi = await ssh(target, ["agent@127.0.0.1", "echo hi"]);
      expect(hi).toMatchObject({ code: 0, stdout: "hi\n" });
      const failing = await ssh(target, ["agent@127.0.0.1", "echo oops >&2; exit 7"]);
      expect(failing).toMatchObject({ code: 7, stdout: "", stderr: "oops\n" });
    });

    it("ssh -tt gives an interactive session on a pseudo-terminal", async () => {
      const { target } = await setup();
      const session = await ssh(target, ["-tt", "agent@127.0.0.1"], {
        input: "tty\necho TERM=$TERM\nexit 5\n",
      });
      expect(session.code).toBe(5);
      expect(session.stdout).toMatch(/^\/dev\/pts\/\d+\r$/m);
      expect(session.stdout).toMatch(/^TERM=\S+\r$/m);
    });

    it("scp copies files both ways (SFTP mode and the legacy scp protocol)", async () => {
      const { target, root } = await setup();
      const local = join(target.dir, "up.txt");
      await writeFile(local, "payload\n".repeat(1000));
      expect(await scp(target, [local, "agent@127.0.0.1:up.txt"])).toMatchObject({ code: 0 });
      expect(await readFile(join(root, "up.txt"), "utf8")).toBe("payload\n".repeat(1000));
      expect(await scp(target, ["-O", local, "agent@127.0.0.1:legacy.txt"])).toMatchObject({ code: 0 });
      expect(await readFile(join(root, "legacy.txt"), "utf8")).toBe("payload\n".repeat(1000));

      await ssh(target, ["agent@127.0.0.1", "seq 1 500 > made.txt"]);
      const down = join(target.dir, "down.txt");
      expect(await scp(target, ["agent@127.0.0.1:made.txt", down])).toMatchObject({ code: 0 });
      const legacy = join(target.dir, "legacy-down.txt");
      expect(await scp(target, ["-O", "agent@127.0.0.1:made.txt", legacy])).toMatchObject({ code: 0 });
      const expected = `${Array.from({ length: 500 }, (_, i) => i + 1).join("\n")}\n`;
      expect(await readFile(down, "utf8")).toBe(expected);
      expect(await readFile(legacy, "utf8")).toBe(expected);
    });

    it("sftp puts, lists and gets files in the workspace", async () => {
      const { target, root } = await setup();
      const local = join(target.dir, "local.txt");
      await writeFile(local, "from the runner\n");
      const back = join(target.dir, "back.txt");
      const batch = await sftp(target, [
        "pwd",
        "mkdir sub",
        "put " + local + " sub/a.txt",
        "ls sub",
        `get sub/a.txt ${back}`,
      ]);
      expect(batch.code).toBe(0);
      expect(batch.stdout).toContain("Remote working directory: /workspace");
      expect(batch.stdout).toMatch(/sub\/a\.txt/);
      expect(await readFile(join(root, "sub", "a.txt"), "utf8")).toBe("from the runner\n");
      expect(await readFile(back, "utf8")).toBe("from the runner\n");
    });
  });
}

describe("what the SSH server accepts", () => {
  it("refuses a client whose known host key does not match (the check is real)", async () => {
    const { target } = await direct();
    const other = ed25519Pair();
    await writeFile(target.knownHosts, `[127.0.0.1]:${target.port} ${other.public}\n`);
    const result = await ssh(target, ["agent@127.0.0.1", "echo hi"]);
    expect(result.code).toBe(255);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/host key/i);
  });

  it("refuses any key but the workspace's client key", async () => {
    const { target } = await direct();
    const stranger = join(target.dir, "stranger");
    const pair = ed25519Pair();
    await writeFile(stranger, pair.private, { mode: 0o600 });
    const result = await ssh({ ...target, keyPath: stranger }, ["agent@127.0.0.1", "echo hi"]);
    expect(result.code).toBe(255);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/Permission denied/);
  });

  it("refuses port forwarding (it would bypass the sandbox's network isolation)", async () => {
    const { target } = await direct();
    const client = new ssh2.Client();
    defer(() => client.end());
    await new Promise<void>((resolve, reject) => {
      client.once("ready", () => resolve());
      client.once("error", reject);
      client.connect({
        host: "127.0.0.1",
        port: target.port,
        username: "agent",
        privateKey: readFileSync(target.keyPath),
        hostVerifier: () => true,
      });
    });
    const error = await new Promise<Error | undefined>((resolve) =>
      client.forwardOut("127.0.0.1", 0, "127.0.0.1", 9, (err) => resolve(err)),
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toMatch(/channel open failure/i);
  });

  it("keeps sftp inside the sandbox: nothing outside the workspace is writable, host paths stay out of reach", async () => {
    const { target, root } = await direct();
    const outside = await scratch(defer, "hud-ws-outside-");
    await writeFile(join(outside, "secret.txt"), "host secret\n");
    await symlink(join(outside, "secret.txt"), join(root, "link.txt"));
    const local = join(target.dir, "x.txt");
    await writeFile(local, "x\n");
    for (const command of [
      `put ${local} /etc/hud-test`,
      `put ${local} /usr/hud-test`,
      `get link.txt ${join(target.dir, "got.txt")}`,
    ]) {
      const result = await sftp(target, [command]);
      expect(result.code, command).not.toBe(0);
    }
    await expect(readFile(join(target.dir, "got.txt"))).rejects.toThrow();
  });
});
