// SshClient against our own workspace SSH server: the published capability, commands, timeouts, SFTP files.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Capability } from "../src/capabilities/capability.ts";
import { SshClient } from "../src/capabilities/clients/ssh.ts";
import { Workspace } from "../src/environment/workspace/workspace.ts";
import { useCleanup } from "./support/cleanup.ts";
import { waitUntil } from "./support/wait.ts";

const defer = useCleanup();
let root: string;
let workspace: Workspace;
let capability: Capability;

function pidsMatching(text: string): number[] {
  try {
    return execFileSync("pgrep", ["-f", text], { encoding: "utf8" }).split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function client(): Promise<SshClient> {
  const connected = await SshClient.connect(capability);
  defer(() => connected.close());
  return connected;
}

describe("SshClient against the workspace server", () => {
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "hud-ssh-ws-"));
    workspace = new Workspace(root);
    capability = await workspace.start();
  });
  afterAll(async () => {
    await workspace?.stop();
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("connects with the published capability (host key checked) and runs commands in cwd", async () => {
    const ssh = await client();
    expect(await ssh.exec("pwd; echo problem >&2; exit 4")).toEqual({
      exitCode: 4,
      signal: null,
      stdout: `${workspace.cwd}\n`,
      stderr: "problem\n",
      timedOut: false,
      truncated: false,
    });
    expect((await ssh.exec("wc -c", { stdin: "12345" })).stdout.trim()).toBe("5");
    const capped = await ssh.exec("head -c 5000 /dev/zero | tr '\\0' y", { maxOutput: 10 });
    expect(capped.stdout).toBe("yyyyy\n[truncated 4990 bytes]\nyyyyy");
  });

  it("refuses the workspace when the capability carries another host key", async () => {
    const other = execFileSync("bash", [
      "-c",
      'd=$(mktemp -d); ssh-keygen -q -t ed25519 -N "" -f "$d/k"; cat "$d/k.pub"; rm -rf "$d"',
    ]).toString();
    await expect(
      SshClient.connect(capability.with({ params: { ...capability.params, host_pubkey: other } })),
    ).rejects.toThrow(
      /^ssh host key mismatch for capability 'shell' \(127\.0\.0\.1:\d+\): expected SHA256:\S+ \(params\.host_pubkey\), server presented SHA256:\S+$/,
    );
  });

  it("on timeout the command and its children are killed", async () => {
    const ssh = await client();
    const tag = randomUUID().slice(0, 8);
    const sleepArg = `30.${Number.parseInt(tag, 16)}`;
    const result = await ssh.exec(`sleep ${sleepArg}; touch marker-${tag}`, { timeout: 0.5 });
    expect(result.timedOut).toBe(true);
    await waitUntil(() => pidsMatching(`sleep ${sleepArg}`).length === 0, "the sleep is gone");
    expect(existsSync(join(root, `marker-${tag}`))).toBe(false);
    expect((await ssh.exec("echo still fine")).stdout).toBe("still fine\n");
  });

  it("moves files over SFTP in the commands' view of the root", async () => {
    const ssh = await client();
    const data = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7) % 256));
    await ssh.writeFile(`${workspace.cwd}/it's here.bin`, data);
    expect(readFileSync(join(root, "it's here.bin")).equals(data)).toBe(true);
    writeFileSync(join(root, "from-host.txt"), "host wrote this");
    await workspace.claim("from-host.txt");
    expect((await ssh.readFile("from-host.txt")).toString()).toBe("host wrote this");
    expect(await ssh.listDir(workspace.cwd)).toEqual(
      expect.arrayContaining(["from-host.txt", "it's here.bin"]),
    );
    expect((await ssh.exec(`sha256sum "it's here.bin"`)).stdout.split(" ")[0]).toBe(
      execFileSync("sha256sum", { input: data, encoding: "utf8" }).split(" ")[0],
    );
  });

  it("moves files over exec as well", async () => {
    const ssh = await SshClient.connect(capability, { fileTransfer: "exec" });
    defer(() => ssh.close());
    await ssh.writeFile("exec note", "via cat");
    expect(readFileSync(join(root, "exec note"), "utf8")).toBe("via cat");
    expect((await ssh.readFile("exec note")).toString()).toBe("via cat");
    expect(await ssh.listDir(".")).toContain("exec note");
  });
});
