// The sandbox, asserted from inside the workspace: filesystem, environment, network, resource limits, identity.
import { existsSync } from "node:fs";
import { readFile, stat, writeFile } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { Workspace, type WorkspaceOptions } from "../src/environment/workspace/workspace.ts";
import { scratch, ssh, sshTarget } from "./fixtures/workspace/openssh.ts";
import { useCleanup } from "./support/cleanup.ts";

const defer = useCleanup();
const MiB = 1024 * 1024;

async function started(options: WorkspaceOptions = {}): Promise<{ ws: Workspace; root: string }> {
  const root = await scratch(defer, "hud-ws-root-");
  const ws = new Workspace(root, options);
  defer(() => ws.stop());
  await ws.start();
  return { ws, root };
}

/** A listener on the host's loopback that records what each connection sends. */
async function hostListener(): Promise<{ port: number; received: string[] }> {
  const received: string[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    let text = "";
    socket.on("data", (chunk) => {
      text += chunk.toString("utf8");
    });
    socket.on("end", () => received.push(text));
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  defer(
    () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  );
  const address = server.address();
  return { port: typeof address === "object" && address ? address.port : 0, received };
}

describe("workspace sandbox", () => {
  it("lets commands write only inside the workspace root (and their private /tmp)", async () => {
    const { ws, root } = await started();
    const outside = await scratch(defer, "hud-ws-outside-");
    const privateName = `hud-ws-private-${process.pid}-${Date.now()}`;
    const targets = [
      "/etc/hud-test",
      "/usr/hud-test",
      "/hud-test",
      join(outside, "escaped"),
      "/proc/sys/kernel/hostname",
    ];
    const script = [
      ...targets.map((path) => `if (echo x > '${path}') 2>/dev/null; then echo "WROTE ${path}"; fi`),
      "echo inside > /workspace/inside.txt",
      `echo private > /tmp/${privateName} && cat /tmp/${privateName}`,
    ].join("\n");
    const result = await ws.exec(script);
    expect(result.stdout).not.toContain("WROTE");
    expect(result.stdout).toContain("private");
    expect(await readFile(join(root, "inside.txt"), "utf8")).toBe("inside\n");
    expect(existsSync(join(outside, "escaped"))).toBe(false);
    expect(existsSync(`/tmp/${privateName}`)).toBe(false);
  });

  it("gives commands none of the runner's environment variables, only the workspace's", async () => {
    const secret = `sk-hud-test-${Date.now()}`;
    const saved = process.env.OPENAI_API_KEY;
    process.env.OPENAI_API_KEY = secret;
    defer(() => {
      if (saved === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved;
    });
    const { ws } = await started({ env: { TASK_MODE: "graded" } });
    const cap = ws.capability!;
    const target = await sshTarget(
      defer,
      Number(cap.url.split(":").pop()),
      ws.clientKeyPath!,
      String(cap.params.host_pubkey),
    );
    for (const output of [
      (await ws.exec("env")).stdout,
      (await ssh(target, ["agent@127.0.0.1", "env"])).stdout,
    ]) {
      const names = output.split("\n").map((line) => line.split("=", 1)[0]!);
      expect(output).not.toContain(secret);
      expect(names).not.toContain("OPENAI_API_KEY");
      expect(names).toContain("TASK_MODE");
      const ours = new Set([
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "SHELL",
        "LANG",
        "TERM",
        "PWD",
        "SHLVL",
        "_",
        "OLDPWD",
      ]);
      const leaked = Object.keys(process.env).filter((name) => !ours.has(name) && names.includes(name));
      expect(leaked).toEqual([]);
    }
  });

  it("gives commands no open descriptor but stdin, stdout and stderr (none the runner inherited)", async () => {
    const { ws } = await started();
    // `ls` holds the directory it lists open as 3.
    const listed = await ws.exec("ls /proc/self/fd");
    expect(listed.stdout.split("\n").filter((line) => line !== "")).toEqual(["0", "1", "2", "3"]);
  });

  it("cannot reach a listener on the host's loopback unless network is enabled", async () => {
    const listener = await hostListener();
    const connect = `echo hello > /dev/tcp/127.0.0.1/${listener.port}`;
    const closed = await started();
    const refused = await closed.ws.exec(connect);
    expect(refused.exitCode).not.toBe(0);
    expect(listener.received).toEqual([]);

    const open = await started({ network: true });
    const allowed = await open.ws.exec(connect);
    expect(allowed.exitCode).toBe(0);
    await expect.poll(() => listener.received).toEqual(["hello\n"]);
  });

  it.skipIf(!existsSync("/usr/bin/python3"))(
    "keeps one sandbox for the rollout: a server started by one command is reachable from the next",
    async () => {
      const { ws } = await started();
      await ws.exec("python3 -m http.server 8123 --bind 127.0.0.1 >/dev/null 2>&1 &");
      const fetched = await ws.exec(
        "for i in $(seq 50); do python3 -c 'import urllib.request as u; print(u.urlopen(\"http://127.0.0.1:8123/\").status)' 2>/dev/null && exit 0; sleep 0.1; done; exit 1",
      );
      expect(fetched.stdout.trim()).toBe("200");
    },
  );

  it("contains a fork bomb: the process limit binds, the command is killed, the workspace still works", async () => {
    const { ws } = await started({ limits: { processes: 64 } });
    const uid = Number((await ws.exec("id -u")).stdout);
    expect(uid).toBeGreaterThan(0);
    let peak = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, await processesOf(uid));
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    // Every level waits for its two children, so the tree stays at the limit until the timeout kills it.
    const bomb = await ws.exec("bomb() { bomb | bomb; }; bomb", { timeout: 4 });
    sampling = false;
    await sampler;
    expect(bomb.timedOut).toBe(true);
    expect(bomb.stderr).toMatch(/Resource temporarily unavailable/);
    expect(peak).toBeLessThanOrEqual(64);
    expect((await ws.exec("echo alive")).stdout).toBe("alive\n");
  });

  it("cuts a 10 GB write at the file size limit, and bounds the private /tmp", async () => {
    const { ws, root } = await started({ limits: { fileSize: 8 * MiB, tmpSize: 4 * MiB } });
    const big = await ws.exec("head -c 10G /dev/zero > big.bin");
    expect(big.exitCode).not.toBe(0);
    expect((await stat(join(root, "big.bin"))).size).toBeLessThanOrEqual(8 * MiB);
    const tmp = await ws.exec("head -c 6M /dev/zero > /tmp/big.bin");
    expect(tmp.exitCode).not.toBe(0);
    expect(tmp.stderr).toMatch(/No space left/);
  });

  it("gives every command the address-space limit when `memory` is set", async () => {
    const { ws } = await started({ limits: { memory: 2048 * MiB } });
    expect((await ws.exec("ulimit -v; ulimit -Hv")).stdout).toBe(`${2048 * 1024}\n${2048 * 1024}\n`);
  });

  it("runs commands as an unprivileged uid that owns the root; claim() hands over files the host writes later", async () => {
    const { ws, root } = await started();
    const id = await ws.exec("id -u; id -un; ulimit -u");
    const [uid, name, nproc] = id.stdout.trim().split("\n");
    expect(Number(uid)).toBeGreaterThan(0);
    expect(name).toBe("agent");
    expect(nproc).toBe("512");
    await ws.exec("echo agent > by-agent.txt");
    expect((await stat(join(root, "by-agent.txt"))).uid).toBe(Number(uid));

    await writeFile(join(root, "seeded.txt"), "from the template\n");
    expect((await ws.exec("echo more >> seeded.txt")).exitCode).not.toBe(0);
    await ws.claim("seeded.txt");
    expect((await ws.exec("echo more >> seeded.txt")).exitCode).toBe(0);
    expect(await readFile(join(root, "seeded.txt"), "utf8")).toBe("from the template\nmore\n");
    await expect(ws.claim("../elsewhere")).rejects.toThrow(/outside the workspace root/);
  });
});

async function processesOf(uid: number): Promise<number> {
  const { readdir } = await import("node:fs/promises");
  let count = 0;
  for (const name of await readdir("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const status = await readFile(`/proc/${name}/status`, "utf8").catch(() => "");
    if (Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]) === uid) count++;
  }
  return count;
}
