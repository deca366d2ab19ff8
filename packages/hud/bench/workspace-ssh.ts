// Benchmark: SshClient against the workspace's SSH server, next to the same client against Debian's sshd.
import { spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Capability } from "../src/capabilities/capability.ts";
import { SshClient } from "../src/capabilities/clients/ssh.ts";
import { Workspace } from "../src/environment/workspace/workspace.ts";
import { type Sshd, sshdUnavailable, startSshd } from "../test/support/sshd.ts";
import { type Figure, interleaved } from "./measure.ts";

const MiB = 1024 * 1024;
const WRITE = Buffer.alloc(MiB, 0x61);

interface Target {
  client: SshClient;
  /** A directory the login user may write to, as the server's commands see it. */
  dir: string;
}

/** Milliseconds per `true`, run `count` times back to back on one connection. */
async function roundTrips(client: SshClient, count: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const result = await client.exec("true");
    if (result.exitCode !== 0) throw new Error(`'true' exited ${result.exitCode}: ${result.stderr}`);
  }
  return (performance.now() - start) / count;
}

/** Milliseconds per local `bash -c true` (what starting the shell alone costs on this machine). */
async function localShells(count: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    await new Promise<void>((resolve, reject) => {
      spawn("bash", ["-c", "true"], { stdio: "ignore" })
        .on("error", reject)
        .on("exit", () => resolve());
    });
  }
  return (performance.now() - start) / count;
}

/** MiB/s writing `megabytes` files of 1 MiB over SFTP (each writeFile creates or truncates the file). */
async function sftpWrites(target: Target, megabytes: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < megabytes; i++) await target.client.writeFile(`${target.dir}/bench-${i % 4}`, WRITE);
  return megabytes / ((performance.now() - start) / 1000);
}

/** MiB/s of the same writes to a local directory (the ceiling when no sshd is available). */
async function localWrites(dir: string, megabytes: number): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < megabytes; i++) await writeFile(join(dir, `bench-${i % 4}`), WRITE);
  return megabytes / ((performance.now() - start) / 1000);
}

/**
 * Two figures. Command round trip: `true` run `commands` times on one connection through SshClient, against the
 * workspace server and against Debian's sshd (the floor; a local `bash -c true` when sshd is unavailable); target
 * ≤ 2×. SFTP write throughput: `megabytes` writes of 1 MiB through SshClient.writeFile, against both; target ≥ 0.5×.
 */
export async function workspaceSsh(options: {
  runs: number;
  commands: number;
  megabytes: number;
}): Promise<Figure[]> {
  const teardown: (() => Promise<unknown>)[] = [];
  const notes: string[] = [];
  try {
    const scratch = await mkdtemp(join(tmpdir(), "hud-bench-ssh-"));
    teardown.push(() => rm(scratch, { recursive: true, force: true }));
    let workspace: Target | undefined;
    try {
      const ws = new Workspace(join(scratch, "workspace"), { trackFiles: false });
      teardown.push(() => ws.stop());
      const client = await SshClient.connect(await ws.start());
      teardown.push(() => client.close());
      workspace = { client, dir: ws.cwd };
    } catch (error) {
      notes.push(`workspace server unavailable: ${(error as Error).message}`);
    }
    let sshd: (Target & { server: Sshd }) | undefined;
    const unavailable = sshdUnavailable();
    if (unavailable) notes.push(`Debian sshd unavailable: ${unavailable}`);
    else {
      const server = await startSshd();
      teardown.push(() => server.stop());
      const client = await SshClient.connect(
        Capability.ssh({
          url: server.url,
          user: server.user,
          hostPubkey: server.hostPubkey,
          clientKey: server.clientKey,
        }),
      );
      teardown.push(() => client.close());
      sshd = { server, client, dir: await server.scratchDir() };
    }

    const commands = options.commands;
    const trips = await interleaved(options.runs, {
      ...(workspace ? { workspace: () => roundTrips(workspace.client, commands) } : {}),
      ...(sshd ? { sshd: () => roundTrips(sshd.client, commands) } : {}),
      local: () => localShells(commands),
    } as Record<"workspace" | "sshd" | "local", () => Promise<number>>);
    const megabytes = options.megabytes;
    const writes = await interleaved(options.runs, {
      ...(workspace ? { workspace: () => sftpWrites(workspace, megabytes) } : {}),
      ...(sshd ? { sshd: () => sftpWrites(sshd, megabytes) } : {}),
      local: () => localWrites(scratch, megabytes),
    } as Record<"workspace" | "sshd" | "local", () => Promise<number>>);

    const ms = (value: number | undefined) => (value === undefined ? "n/a" : `${value.toFixed(2)} ms`);
    const samples = (list: { samples: number[] } | undefined) =>
      list ? list.samples.map((s) => s.toFixed(1)).join(" ") : "n/a";
    const tripFloor = sshd
      ? { floor: trips.sshd.median, floorName: "Debian sshd, same client" }
      : { floor: trips.local.median, floorName: "local bash -c true" };
    const writeFloor = sshd
      ? { floor: writes.sshd.median, floorName: "Debian sshd sftp-server, same client" }
      : { floor: writes.local.median, floorName: "local fs.writeFile" };
    return [
      {
        name: workspace ? "workspace ssh round trip" : "ssh round trip (no workspace)",
        value: workspace ? trips.workspace.median : (sshd ? trips.sshd : trips.local).median,
        ...tripFloor,
        unit: "ms",
        better: "lower",
        target: 2,
        notes: [
          `'true' × ${commands} per run on one connection, median of ${options.runs}; ` +
            `local bash -c true ${ms(trips.local.median)}`,
          `samples ms: workspace ${samples(trips.workspace)}; sshd ${samples(trips.sshd)}`,
          ...notes,
        ],
      },
      {
        name: workspace ? "workspace sftp write" : "sftp write (no workspace)",
        value: workspace ? writes.workspace.median : (sshd ? writes.sshd : writes.local).median,
        ...writeFloor,
        unit: "MiB/s",
        better: "higher",
        target: 0.5,
        notes: [
          `${megabytes} writeFile calls of 1 MiB per run, median of ${options.runs}; ` +
            `local fs.writeFile ${Math.round(writes.local.median)} MiB/s`,
          `samples MiB/s: workspace ${samples(writes.workspace)}; sshd ${samples(writes.sshd)}`,
        ],
      },
    ];
  } finally {
    for (const step of teardown.reverse()) await step().catch(() => {});
  }
}
