// SshClient commands against Debian's sshd: exit codes, streams, stdin, output caps, cwd, timeouts that kill.
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Capability } from "../src/capabilities/capability.ts";
import { SshClient } from "../src/capabilities/clients/ssh.ts";
import { useCleanup } from "./support/cleanup.ts";
import { type Sshd, sshdLoginUser, sshdUnavailable, startSshd } from "./support/sshd.ts";
import { waitUntil } from "./support/wait.ts";

const defer = useCleanup();
let sshd: Sshd;
let client: SshClient;

/** PIDs whose command line contains `text` (pgrep -f), never including pgrep itself. */
function pidsMatching(text: string): number[] {
  try {
    return execFileSync("pgrep", ["-f", text], { encoding: "utf8" }).split("\n").filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

describe.skipIf(sshdUnavailable())("SshClient.exec against Debian sshd", () => {
  beforeAll(async () => {
    sshd = await startSshd();
    client = await SshClient.connect(
      Capability.ssh({
        url: sshd.url,
        user: sshd.user,
        hostPubkey: sshd.hostPubkey,
        clientKey: sshd.clientKey,
      }),
    );
  });
  afterAll(async () => {
    await client?.close();
    await sshd?.stop();
  });

  it("returns stdout, stderr and the exit code; a failing command is a result, not an error", async () => {
    expect(await client.exec("echo hello")).toEqual({
      exitCode: 0,
      signal: null,
      stdout: "hello\n",
      stderr: "",
      timedOut: false,
      truncated: false,
    });
    const failed = await client.exec("echo oops >&2; exit 3");
    expect(failed.exitCode).toBe(3);
    expect(failed.stderr).toBe("oops\n");
    expect(failed.stdout).toBe("");
  });

  it("reports a process killed by a signal", async () => {
    const result = await client.exec("kill -TERM $$");
    expect(result.exitCode).toBeNull();
    expect(result.signal).toBe("SIGTERM");
  });

  it("feeds stdin and then EOF; without stdin the command sees EOF at once", async () => {
    const data = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    const result = await client.exec("sha256sum", { stdin: data });
    const expected = execFileSync("sha256sum", { input: data, encoding: "utf8" });
    expect(result.stdout).toBe(expected);
    expect((await client.exec("cat; echo done")).stdout).toBe("done\n");
  });

  it("keeps the head and tail of output over maxOutput around a truncation marker", async () => {
    const result = await client.exec("printf 'a%.0s' $(seq 1000); printf 'z%.0s' $(seq 1000)", {
      maxOutput: 100,
    });
    expect(result.truncated).toBe(true);
    expect(result.stdout).toBe(`${"a".repeat(50)}\n[truncated 1900 bytes]\n${"z".repeat(50)}`);
    const small = await client.exec("echo fits", { maxOutput: 100 });
    expect(small).toMatchObject({ stdout: "fits\n", truncated: false });
  });

  it("caps output at 10 MiB per stream by default", async () => {
    const result = await client.exec("head -c 12582912 /dev/zero | tr '\\0' x");
    expect(result.truncated).toBe(true);
    expect(result.stdout).toContain("\n[truncated 2097152 bytes]\n");
    expect(result.stdout.length).toBe(10 * 1024 * 1024 + "\n[truncated 2097152 bytes]\n".length);
  });

  it("streams output to callbacks as it arrives, uncapped", async () => {
    const out: string[] = [];
    const err: string[] = [];
    let sawFirstBeforeEnd = false;
    const done = client.exec("echo first; sleep 0.3; echo second; echo problem >&2", {
      maxOutput: 4,
      onStdout: (chunk) => out.push(chunk.toString()),
      onStderr: (chunk) => err.push(chunk.toString()),
    });
    await waitUntil(() => out.join("").includes("first"), "the first line streamed");
    sawFirstBeforeEnd = !out.join("").includes("second");
    const result = await done;
    expect(sawFirstBeforeEnd).toBe(true);
    expect(out.join("")).toBe("first\nsecond\n");
    expect(err.join("")).toBe("problem\n");
    expect(result.truncated).toBe(true);
  });

  it("runs in cwd when given, and fails clearly when it does not exist", async () => {
    expect((await client.exec("pwd", { cwd: "/tmp" })).stdout).toBe("/tmp\n");
    const missing = await client.exec("pwd", { cwd: "/no/such dir" });
    expect(missing.exitCode).toBe(1);
    expect(missing.stderr).toContain("/no/such dir");
  });

  // OpenSSH ignores signal requests in root sessions; support/sshd.ts logs in as an ordinary account when one exists.
  it.skipIf(sshdLoginUser().uid === 0)(
    "on timeout kills the remote process: the command after the sleep never runs",
    async () => {
      const tag = randomUUID().slice(0, 8);
      const marker = `/tmp/hud-ssh-timeout-${tag}`;
      defer(() => execFileSync("rm", ["-f", marker]));
      const sleepArg = `30.${Number.parseInt(tag, 16)}`;
      const result = await client.exec(`sleep ${sleepArg}; touch ${marker}`, { timeout: 0.5 });
      expect(result.timedOut).toBe(true);
      expect(result.exitCode).toBeNull();
      await waitUntil(() => pidsMatching(`sleep ${sleepArg}`).length === 0, "the remote sleep is gone");
      expect(existsSync(marker)).toBe(false);
      // The connection is still good for the next command.
      expect((await client.exec("echo after")).stdout).toBe("after\n");
    },
  );

  it("runs commands concurrently on one connection", async () => {
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => client.exec(`sleep 0.2; echo ${i}`)),
    );
    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 8 }, (_, i) => `${i}\n`));
  });

  it("rejects a bad timeout with one clear line", async () => {
    await expect(client.exec("true", { timeout: -1 })).rejects.toThrow(
      "timeout must be a positive number of seconds (got -1)",
    );
  });
});
