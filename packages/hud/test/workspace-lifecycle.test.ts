// Workspace lifecycle: what start() publishes, background processes (kept, then killed at stop), exec() bounds,
// disconnects, and the refusal to run unsandboxed unless asked.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { readFile, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { Environment, HudError } from "hud";
import { serveForTest } from "hud/testing";
import { describe, expect, it } from "vitest";
import { Workspace, type WorkspaceOptions } from "../src/environment/workspace/workspace.ts";
import { commonOptions, processesWith, scratch, ssh, sshTarget } from "./fixtures/workspace/openssh.ts";
import { useCleanup } from "./support/cleanup.ts";
import { waitUntil } from "./support/wait.ts";

const defer = useCleanup();

async function started(options: WorkspaceOptions = {}): Promise<{ ws: Workspace; root: string }> {
  const root = await scratch(defer, "hud-ws-root-");
  const ws = new Workspace(root, options);
  defer(() => ws.stop());
  await ws.start();
  return { ws, root };
}

function marker(): string {
  return `hud-ws-bg-${process.pid}-${Math.random().toString(36).slice(2)}`;
}

/** A command that leaves `sleep 1000` running in the background under the name `name`. */
function background(name: string): string {
  return `(exec -a ${name} sleep 1000) >/dev/null 2>&1 &`;
}

describe("workspace lifecycle", () => {
  it("publishes an ssh/2 capability with its keys kept outside the root, and removes them at stop", async () => {
    const { ws, root } = await started();
    const cap = ws.capability!;
    expect(cap.protocol).toBe("ssh/2");
    expect(cap.name).toBe("shell");
    expect(cap.url).toMatch(/^ssh:\/\/127\.0\.0\.1:\d+$/);
    expect(cap.params).toMatchObject({ user: "agent", cwd: "/workspace", isolation: "bwrap", shell: "bash" });
    expect(String(cap.params.host_pubkey)).toMatch(/^ssh-ed25519 \S+$/);
    expect(String(cap.params.client_key)).toContain("OPENSSH PRIVATE KEY");
    const keyPath = String(cap.params.client_key_path);
    expect(keyPath).toBe(ws.clientKeyPath);
    expect(keyPath.startsWith(root)).toBe(false);
    expect((await stat(dirname(keyPath))).mode & 0o777).toBe(0o700);
    await ws.stop();
    expect(existsSync(dirname(keyPath))).toBe(false);
    expect(ws.capability).toBeUndefined();
  });

  it("env.workspace() starts with the environment, publishes `shell`, and withdraws it at stop", async () => {
    const root = await scratch(defer, "hud-ws-root-");
    const env = new Environment({ name: "ws-attach" });
    const ws = env.workspace(root, { env: { GREETING: "hi" } });
    expect(env.capability("shell")).toBeUndefined();
    {
      await using served = await serveForTest(env);
      expect(served.client.binding("shell").protocol).toBe("ssh/2");
      expect((await ws.exec("echo $GREETING")).stdout).toBe("hi\n");
    }
    expect(env.capability("shell")).toBeUndefined();
    expect(ws.capability).toBeUndefined();
  });

  it("keeps background processes between commands and kills them at stop", async () => {
    const { ws } = await started();
    const name = marker();
    expect((await ws.exec(background(name))).exitCode).toBe(0);
    expect(await processesWith(name)).toHaveLength(1);
    expect((await ws.exec(`pgrep -f ${name}`)).exitCode).toBe(0);
    await ws.stop();
    expect(await processesWith(name)).toEqual([]);
  });

  it("returns from ssh when the command exits even if a background process holds its output open", async () => {
    const { ws } = await started();
    const cap = ws.capability!;
    const target = await sshTarget(
      defer,
      Number(cap.url.split(":").pop()),
      ws.clientKeyPath!,
      String(cap.params.host_pubkey),
    );
    const name = marker();
    const result = await ssh(target, ["agent@127.0.0.1", `(exec -a ${name} sleep 1000) & echo started`]);
    expect(result).toMatchObject({ code: 0, stdout: "started\n" });
    expect(await processesWith(name)).toHaveLength(1);
    await ws.stop();
    expect(await processesWith(name)).toEqual([]);
  });

  it("kills a running command's process group when its ssh client disconnects", async () => {
    const { ws } = await started();
    const cap = ws.capability!;
    const target = await sshTarget(
      defer,
      Number(cap.url.split(":").pop()),
      ws.clientKeyPath!,
      String(cap.params.host_pubkey),
    );
    const name = marker();
    const client = spawn(
      "ssh",
      [
        ...commonOptions(target),
        "-p",
        String(target.port),
        "agent@127.0.0.1",
        `(exec -a ${name} sleep 1000) & wait`,
      ],
      { stdio: "ignore" },
    );
    defer(() => client.kill("SIGKILL"));
    await waitUntil(async () => (await processesWith(name)).length === 1, "the command runs");
    client.kill("SIGKILL");
    await waitUntil(async () => (await processesWith(name)).length === 0, "the command is killed");
  });

  it("exec() kills the command and everything it started on timeout, and bounds output", async () => {
    const { ws } = await started({ limits: { execOutput: 64 * 1024 } });
    const name = marker();
    const slow = await ws.exec(`(exec -a ${name} sleep 1000) & sleep 1000`, { timeout: 1 });
    expect(slow).toMatchObject({ timedOut: true, exitCode: null, signal: "SIGKILL" });
    await waitUntil(async () => (await processesWith(name)).length === 0, "the background child is killed");

    const loud = await ws.exec("head -c 5000000 /dev/zero | tr '\\0' a; echo done >&2");
    expect(loud.exitCode).toBe(0);
    expect(loud.truncated).toBe(true);
    expect(loud.stdout.length).toBeLessThan(70 * 1024);
    expect(loud.stderr).toBe("done\n");

    const fed = await ws.exec("tr a-z A-Z", { stdin: "shout\n" });
    expect(fed.stdout).toBe("SHOUT\n");
    await expect(ws.exec("true", { timeout: -1 })).rejects.toThrow(HudError);
  });

  // Served by another user, the command user is that user: everything in the sandbox is within its reach.
  it.skipIf(process.getuid?.() !== 0)(
    "survives a command that kills everything it may (the spawner of its commands is not among it)",
    async () => {
      const { ws } = await started();
      const name = marker();
      await ws.exec(background(name));
      expect((await ws.exec("kill -9 -1; echo survived")).stdout).toBe("survived\n");
      await waitUntil(
        async () => (await processesWith(name)).length === 0,
        "the background process is killed",
      );
      expect((await ws.exec("echo alive")).stdout).toBe("alive\n");
    },
  );

  it("reports its running commands killed if the spawner dies, then runs commands without it", async () => {
    const { ws } = await started();
    const name = marker();
    const running = ws.exec(`exec -a ${name} sleep 1000`);
    await waitUntil(async () => (await processesWith(name)).length === 1, "the command runs");
    const [pid] = await processesWith(name);
    const parent = Number(/^PPid:\s+(\d+)/m.exec(await readFile(`/proc/${pid}/status`, "utf8"))?.[1]);
    expect(await readFile(`/proc/${parent}/comm`, "utf8")).toBe("hud-spawner\n");
    process.kill(parent, "SIGKILL");
    expect(await running).toMatchObject({ exitCode: null, signal: "SIGKILL" });
    expect(await processesWith(name)).toEqual([]);
    // Joined command by command now: same sandbox, same user, same limits.
    const after = await ws.exec("ulimit -u; echo $HOME; grep NoNewPrivs /proc/self/status");
    expect(after).toMatchObject({ exitCode: 0, stdout: "512\n/tmp/home\nNoNewPrivs:\t1\n" });
    const slow = await ws.exec(`(exec -a ${name} sleep 1000) & sleep 1000`, { timeout: 1 });
    expect(slow).toMatchObject({ timedOut: true, signal: "SIGKILL" });
    await waitUntil(async () => (await processesWith(name)).length === 0, "the background child is killed");
  });

  it("refuses to start when bubblewrap cannot run, unless isolation is explicitly 'none'", async () => {
    const root = await scratch(defer, "hud-ws-root-");
    const refused = new Workspace(root, { bwrapPath: "/nonexistent/bwrap" });
    defer(() => refused.stop());
    const error = await refused.start().catch((e: unknown) => e);
    expect(HudError.is(error)).toBe(true);
    expect((error as Error).message).toMatch(/bubblewrap.*isolation: "none"/);
    expect(refused.capability).toBeUndefined();

    const { ws } = await started({ bwrapPath: "/nonexistent/bwrap", isolation: "none" });
    const cap = ws.capability!;
    expect(cap.params).toMatchObject({ isolation: "none", cwd: ws.root });
    expect((await ws.exec("pwd")).stdout).toBe(`${ws.root}\n`);
    expect(Number((await ws.exec("id -u")).stdout)).toBeGreaterThan(0);
    const target = await sshTarget(
      defer,
      Number(cap.url.split(":").pop()),
      ws.clientKeyPath!,
      String(cap.params.host_pubkey),
    );
    expect(await ssh(target, ["agent@127.0.0.1", "echo hi"])).toMatchObject({ code: 0, stdout: "hi\n" });
    const name = marker();
    await ws.exec(background(name));
    expect(await processesWith(name)).toHaveLength(1);
    await ws.stop();
    expect(await processesWith(name)).toEqual([]);
  });

  it("rejects bad options with one clear line", () => {
    expect(() => new Workspace("/tmp/x", { cwd: "relative" })).toThrow(/'cwd' must be an absolute path/);
    expect(() => new Workspace("/tmp/x", { cwd: "/etc/work" })).toThrow(/sandbox mounts that path/);
    expect(() => new Workspace("/tmp/x", { limits: { processes: 0 } })).toThrow(/limits\.processes/);
    expect(() => new Workspace("/tmp/x", { env: { "BAD-NAME": "1" } })).toThrow(/BAD-NAME/);
    expect(() => new Workspace("/tmp/x", { isolation: "docker" as "none" })).toThrow(/isolation/);
  });
});
