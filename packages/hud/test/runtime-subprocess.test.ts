// SubprocessRuntime: real `hud serve` children on private unix sockets — serving, secrets, failures, and
// process-group teardown.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { connect, HudError, Task } from "hud";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Lease } from "../src/runtime/placement.ts";
import { SubprocessRuntime } from "../src/runtime/subprocess.ts";
import { isAlive, readJsonFile } from "./fixtures/runtime/processes.ts";
import { promptOf } from "./support/runtime-env.ts";
import { waitUntil } from "./support/wait.ts";

const fixture = (name: string) => new URL(`./fixtures/runtime/${name}`, import.meta.url).pathname;
const quickstart = new URL("../../../examples/quickstart/env.ts", import.meta.url).pathname;

const leases: Lease[] = [];
const pids: number[] = [];
let dir: string;
const savedEnv = { ...process.env };

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "hud-runtime-"));
});

afterEach(async () => {
  await Promise.allSettled(leases.splice(0).map((lease) => lease[Symbol.asyncDispose]()));
  for (const pid of pids.splice(0)) {
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, "SIGKILL");
      } catch {}
    }
  }
  for (const name of Object.keys(process.env)) if (!(name in savedEnv)) delete process.env[name];
  Object.assign(process.env, savedEnv);
  rmSync(dir, { recursive: true, force: true });
});

async function lease(runtime: SubprocessRuntime, task: Task): Promise<Lease> {
  const acquired = await runtime(task);
  leases.push(acquired);
  return acquired;
}

/** A runner fixture (it leases a child that records its pids in `pidFile`), with its output collected. */
function runnerFixture(name: string) {
  const pidFile = join(dir, "pids.json");
  const runner = spawn(process.execPath, ["--conditions=hud-source", fixture(name), pidFile], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  pids.push(runner.pid!);
  let output = "";
  for (const stream of [runner.stdout, runner.stderr]) {
    stream.on("data", (chunk: Buffer) => {
      output += chunk;
    });
  }
  return { runner, pidFile, output: () => output };
}

describe("SubprocessRuntime", () => {
  it("serves the quickstart in a child process; a client starts and grades a task", async () => {
    const runtime = new SubprocessRuntime(quickstart);
    const task = new Task({ env: "letters", id: "count", args: { word: "strawberry", letter: "r" } });
    const acquired = await lease(runtime, task);
    // A unix socket in a directory only this user can enter.
    expect(acquired.url).toMatch(/^unix:\/\/\/.+\/control\.sock$/);
    const socketPath = acquired.url.slice("unix://".length);
    expect(statSync(socketPath).isSocket()).toBe(true);
    expect(statSync(dirname(socketPath)).mode & 0o777).toBe(0o700);
    const client = await connect(acquired.url);
    try {
      expect(client.env?.name).toBe("letters");
      const frame = await client.startTask(task.id, task.args);
      expect(frame.prompt).toContain("strawberry");
      expect((await client.grade({ answer: "3" })).score).toBe(1);
    } finally {
      await client.close();
    }
    await acquired[Symbol.asyncDispose]();
    expect(existsSync(dirname(socketPath))).toBe(false);
    await expect(connect(acquired.url, { readyTimeout: 0.5 })).rejects.toThrow(/not ready/);
  });

  it("serves on loopback TCP where the temporary directory cannot hold a socket", async () => {
    const deep = join(dir, "d".repeat(100));
    mkdirSync(deep);
    process.env.TMPDIR = deep;
    const task = new Task({ env: "letters", id: "reverse", args: { word: "abc" } });
    const acquired = await lease(new SubprocessRuntime(quickstart), task);
    expect(acquired.url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(await promptOf(acquired.url, "reverse", { word: "abc" })).toContain("abc");
  });

  it("withholds API keys and secrets from the child unless passed explicitly; adds vars", async () => {
    process.env.OPENAI_API_KEY = "sk-test-openai";
    process.env.HUD_API_KEY = "hud-test-key";
    process.env.SOME_SERVICE_TOKEN = "token";
    const task = new Task({ env: "report", id: "vars" });

    const strict = new SubprocessRuntime(fixture("report-env.ts"), { vars: { HUD_FIXTURE_VAR: "1" } });
    const seen = (await promptOf((await lease(strict, task)).url, "vars")).split("\n");
    expect(seen).toContain("HUD_FIXTURE_VAR");
    expect(seen).toContain("PATH");
    expect(seen).not.toContain("OPENAI_API_KEY");
    expect(seen).not.toContain("HUD_API_KEY");
    expect(seen).not.toContain("SOME_SERVICE_TOKEN");

    const passing = new SubprocessRuntime(fixture("report-env.ts"), { passEnv: ["OPENAI_API_KEY"] });
    const seenWithPass = (await promptOf((await lease(passing, task)).url, "vars")).split("\n");
    expect(seenWithPass).toContain("OPENAI_API_KEY");
    expect(seenWithPass).not.toContain("HUD_API_KEY");
  });

  it("reports a source that fails to load, with its message and output", async () => {
    const runtime = new SubprocessRuntime(fixture("throws-at-load.ts"));
    const failure = runtime(new Task({ env: "broken", id: "anything" }));
    await expect(failure).rejects.toThrow(HudError);
    await expect(failure).rejects.toThrow(
      /exited with code 1 before serving \(source: .*throws-at-load\.ts\)/,
    );
    await expect(failure).rejects.toThrow(/fixture exploded while loading/);
  });

  it("gives up on a child that never serves, stops its group, and shows its last output", async () => {
    const pidFile = join(dir, "pids.json");
    const runtime = new SubprocessRuntime(fixture("hangs-on-start.ts"), {
      readyTimeout: 5,
      vars: { HUD_FIXTURE_PID_FILE: pidFile },
    });
    const failure = runtime(new Task({ env: "stuck", id: "anything" }));
    const { child } = await readJsonFile<{ child: number }>(pidFile);
    pids.push(child);
    const error = await failure.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(HudError.is(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /did not announce its address \(HUD_SERVE_PORT \/ HUD_SERVE_SOCKET\) within 5s/,
    );
    expect((error as Error).message).toContain("initialize hook started and will never finish");
    expect(isAlive(child)).toBe(false);
  });

  for (const ignoreTerm of [false, true]) {
    it(`kills the child and its grandchildren at dispose${ignoreTerm ? " (grandchild ignores SIGTERM)" : ""}`, async () => {
      const pidFile = join(dir, "pids.json");
      const vars: Record<string, string> = { HUD_FIXTURE_PID_FILE: pidFile };
      if (ignoreTerm) vars.HUD_FIXTURE_IGNORE_TERM = "1";
      const runtime = new SubprocessRuntime(fixture("grandchild.ts"), { vars, killTimeout: 2 });
      const acquired = await lease(runtime, new Task({ env: "spawner", id: "ping" }));
      const { child, grandchild } = await readJsonFile<{ child: number; grandchild: number }>(pidFile);
      pids.push(child, grandchild);
      expect(isAlive(child)).toBe(true);
      expect(isAlive(grandchild)).toBe(true);
      await acquired[Symbol.asyncDispose]();
      expect(isAlive(child)).toBe(false);
      expect(isAlive(grandchild)).toBe(false);
    });
  }

  it("stops the child gracefully at dispose: its shutdown hooks run", async () => {
    const marker = join(dir, "marker.txt");
    const runtime = new SubprocessRuntime(fixture("shutdown-marker.ts"), {
      vars: { HUD_FIXTURE_MARKER: marker },
    });
    const acquired = await runtime(new Task({ env: "marker", id: "ping" }));
    await acquired[Symbol.asyncDispose]();
    expect(readFileSync(marker, "utf8")).toBe("shut down");
  });

  it("kills leased children when the runner exits without disposing", async () => {
    const { runner, pidFile, output } = runnerFixture("parent-exits.ts");
    const code = await new Promise<number | null>((resolve) => runner.once("exit", resolve));
    const leased = /LEASED unix:\/\/(\S+)/.exec(output())?.[1];
    expect(leased, output()).toBeDefined();
    expect(code).toBe(0);
    const { child, grandchild } = await readJsonFile<{ child: number; grandchild: number }>(pidFile);
    pids.push(child, grandchild);
    expect(isAlive(child)).toBe(false);
    expect(isAlive(grandchild)).toBe(false);
    // The lease's private socket directory went with it.
    expect(existsSync(dirname(leased!))).toBe(false);
  });

  it("a runner killed with SIGKILL: its child notices, shuts down and takes its group along", async () => {
    const { runner, pidFile, output } = runnerFixture("parent-killed.ts");
    await waitUntil(() => output().includes("LEASED"), "the runner took its lease", 20);
    const socket = /LEASED unix:\/\/(\S+)/.exec(output())![1]!;
    const { child, grandchild } = await readJsonFile<{ child: number; grandchild: number }>(pidFile);
    pids.push(child, grandchild);
    expect(isAlive(child)).toBe(true);
    runner.kill("SIGKILL");
    await waitUntil(() => !isAlive(child) && !isAlive(grandchild), "the orphaned group is gone", 10);
    expect(existsSync(socket)).toBe(false);
    // Nobody disposed the lease: the child removed its private directory on the way out.
    expect(existsSync(dirname(socket))).toBe(false);
  });

  it("serves each row's environment from a file that declares several", async () => {
    const runtime = new SubprocessRuntime(fixture("two-envs.ts"));
    const [a, b] = await Promise.all([
      lease(runtime, new Task({ env: "alpha", id: "which" })),
      lease(runtime, new Task({ env: "beta", id: "which" })),
    ]);
    expect(await promptOf(a!.url, "which")).toBe("served by alpha");
    expect(await promptOf(b!.url, "which")).toBe("served by beta");
  });

  it("rejects image and compose rows, and warns once that resources are not enforced", async () => {
    const warnings: string[] = [];
    const runtime = new SubprocessRuntime(quickstart, { onWarning: (m) => warnings.push(m) });
    const image = new Task({ env: "letters", id: "count", runtime_config: { image: "letters:latest" } });
    await expect(runtime(image)).rejects.toThrow(/runtime_config\.image.*use DockerRuntime/);

    const sized = new Task({
      env: "letters",
      id: "count",
      runtime_config: { resources: { cpu: 2, memory_mb: 512 } },
    });
    const first = await lease(runtime, sized);
    await lease(runtime, sized);
    expect(await promptOf(first.url, "count", { word: "kiwi", letter: "i" })).toContain("kiwi");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/does not enforce runtime_config\.resources \(cpu, memory_mb\)/);
  });

  it("checks its source and options when constructed", () => {
    expect(() => new SubprocessRuntime(join(dir, "missing.ts"))).toThrow(/no such file or directory/);
    expect(() => new SubprocessRuntime(quickstart, { readyTimeout: 0 })).toThrow(
      /readyTimeout must be a positive/,
    );
    expect(() => new SubprocessRuntime(quickstart, { killTimeout: -1 })).toThrow(
      /killTimeout must be a non-negative/,
    );
    expect(typeof new SubprocessRuntime(quickstart)).toBe("function");
  });
});
