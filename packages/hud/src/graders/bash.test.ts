// BashGrader on the environment host: exit codes, bounded output, timeouts that kill the whole process group,
// cwd, a missing shell, and which workspace it picks from the current environment.
import { readFileSync } from "node:fs";
import { mkdtemp, realpath, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runInEnvironment } from "../environment/current.ts";
import { Environment } from "../environment/environment.ts";
import { OUTPUT_LIMIT } from "./bash.ts";
import { runOnHost } from "./bash-host.ts";
import { BashGrader } from "./index.ts";

// `bash -l` reads $HOME/.profile: an empty home keeps the user's profile (slow, and not safe to kill halfway — a
// pyenv rehash leaves its lock behind) out of these tests' timings.
const realHome = process.env.HOME;
let home: string;
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), "hud-bash-grader-home-"));
  process.env.HOME = home;
});
afterAll(async () => {
  process.env.HOME = realHome;
  await rm(home, { recursive: true, force: true });
});

/** Pids a test saw, killed afterwards whatever happened. */
const seen: number[] = [];
afterEach(() => {
  for (const pid of seen.splice(0)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // gone, as it should be
    }
  }
});

/** Running (a zombie waiting for its reaper counts as gone). */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z";
  } catch {
    return false;
  }
}

/** The pids a command printed, one a line (only real ones: signalling pid 0 would hit this process's group). */
function pidsIn(text: string, count: number): number[] {
  const pids = text
    .trim()
    .split("\n")
    .map(Number)
    .filter((pid) => Number.isSafeInteger(pid) && pid > 1);
  seen.push(...pids);
  expect(pids, `pids printed: ${JSON.stringify(text)}`).toHaveLength(count);
  return pids;
}

describe("BashGrader on the host", () => {
  it("scores exit 0 as 1, with the output and parameters in info", async () => {
    const s = await BashGrader.grade({ command: "echo hello; echo oops >&2" });
    expect(s.toJSON()).toEqual({
      name: "BashGrader",
      weight: 1,
      value: 1,
      children: null,
      info: {
        exit_code: 0,
        stdout: "hello\n",
        stderr: "oops\n",
        ran_in: "host",
        _parameters: { command: "echo hello; echo oops >&2", timeoutSeconds: 600 },
      },
    });
  });

  it("scores any other exit code 0 and records it", async () => {
    const s = await BashGrader.grade({ weight: 2, name: "tests", command: "echo failing >&2; exit 3" });
    expect([s.name, s.weight, s.value]).toEqual(["tests", 2, 0]);
    expect(s.info).toMatchObject({ exit_code: 3, stdout: "", stderr: "failing\n" });
  });

  it("keeps only the head and tail of huge output", async () => {
    const s = await BashGrader.grade({
      command:
        "echo FIRST; head -c 1048576 /dev/zero | tr '\\0' x; echo; echo LAST; head -c 300000 /dev/zero | tr '\\0' e >&2",
    });
    expect(s.value).toBe(1);
    const stdout = String(s.info!.stdout);
    const stderr = String(s.info!.stderr);
    expect(Buffer.byteLength(stdout)).toBeLessThan(OUTPUT_LIMIT + 100);
    expect(Buffer.byteLength(stderr)).toBeLessThan(OUTPUT_LIMIT + 100);
    expect(stdout.startsWith("FIRST\nxxx")).toBe(true);
    expect(stdout.endsWith("xxx\nLAST\n")).toBe(true);
    expect(stdout).toMatch(/\n\[truncated \d+ bytes\]\n/);
    expect(s.info!.truncated).toBe(true);
    expect(JSON.stringify(s).length).toBeLessThan(3 * OUTPUT_LIMIT);
  });

  it("on timeout kills the command and its background children, and scores 0", async () => {
    const s = await BashGrader.grade({
      command: "echo $$; sleep 1000 & echo $!; wait",
      timeoutSeconds: 1.5,
    });
    const [shell, child] = pidsIn(String(s.info!.stdout), 2);
    expect(s.value).toBe(0);
    expect(s.info).toMatchObject({ exit_code: null, timed_out: true, timeout: 1.5 });
    expect([running(shell!), running(child!)]).toEqual([false, false]);
  });

  it("kills with SIGKILL a group that ignores SIGTERM", async () => {
    const s = await BashGrader.grade({
      command: "trap '' TERM; echo $$; sleep 1000 & echo $!; wait; wait",
      timeoutSeconds: 1.5,
    });
    const [shell, child] = pidsIn(String(s.info!.stdout), 2);
    expect(s.info).toMatchObject({ exit_code: null, timed_out: true });
    expect([running(shell!), running(child!)]).toEqual([false, false]);
  });

  it("leaves nothing running after the command exits", async () => {
    const s = await BashGrader.grade({ command: "sleep 1000 & echo $!" });
    const [child] = pidsIn(String(s.info!.stdout), 1);
    expect(s.value).toBe(1);
    expect(running(child!)).toBe(false);
  });

  it("runs in cwd, and refuses a cwd that does not exist", async () => {
    const dir = await mkdtemp(join(tmpdir(), "hud-bash-grader-"));
    try {
      const s = await BashGrader.grade({ command: "pwd", cwd: dir });
      expect(s.info!.stdout).toBe(`${await realpath(dir)}\n`);
      expect(s.info!._parameters).toEqual({ command: "pwd", timeoutSeconds: 600, cwd: dir });
      await expect(BashGrader.grade({ command: "pwd", cwd: join(dir, "missing") })).rejects.toThrow(
        /cwd '.*missing' is not a directory/,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("scores 0 with 'not found' when the shell is missing", async () => {
    const outcome = await runOnHost("true", { timeout: 5, maxOutput: 1024, shell: "/nonexistent/bash" });
    expect(outcome).toMatchObject({ exitCode: null, stderr: "/nonexistent/bash not found" });
  });

  it("rejects bad parameters, and pristine without a workspace", async () => {
    await expect(BashGrader.grade({ command: " " })).rejects.toThrow(/'command' must be a non-empty string/);
    await expect(BashGrader.grade({ command: "true", timeoutSeconds: 0 })).rejects.toThrow(/timeoutSeconds/);
    await expect(BashGrader.grade({ command: "true", pristine: ["tests/"] })).rejects.toThrow(
      /'pristine' restores workspace paths, but this grader runs on the host/,
    );
  });
});

describe("BashGrader's choice of workspace", () => {
  it("runs in the current environment's only workspace, or on the host with workspace: false", async () => {
    const env = new Environment({ name: "one-workspace" });
    env.workspace(join(tmpdir(), "hud-bash-grader-unstarted"));
    // The workspace is not started: reaching it at all shows it was chosen.
    await expect(runInEnvironment(env, () => BashGrader.grade({ command: "true" }))).rejects.toThrow(
      /workspace\.exec: the workspace is not started/,
    );
    const host = await runInEnvironment(env, () => BashGrader.grade({ command: "true", workspace: false }));
    expect(host.info).toMatchObject({ ran_in: "host", _parameters: { workspace: false } });
  });

  it("asks which one when the environment has several", async () => {
    const env = new Environment({ name: "two-workspaces" });
    const first = env.workspace(join(tmpdir(), "hud-bash-grader-a"));
    env.workspace(join(tmpdir(), "hud-bash-grader-b"), { name: "shell-b" });
    await expect(runInEnvironment(env, () => BashGrader.grade({ command: "true" }))).rejects.toThrow(
      /the environment has 2 workspaces; pass \{ workspace \} to choose one/,
    );
    await expect(
      runInEnvironment(env, () => BashGrader.grade({ command: "true", workspace: first })),
    ).rejects.toThrow(/workspace\.exec: the workspace is not started/);
  });

  it("runs on the host outside any environment", async () => {
    expect((await BashGrader.grade({ command: "true" })).info!.ran_in).toBe("host");
  });
});
