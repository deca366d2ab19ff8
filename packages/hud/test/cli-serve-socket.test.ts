// `hud serve --socket`: the control channel on a unix socket, reached by `hud task` and `hud eval` as unix://.
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runHud, type ServeProcess, startServe, stop } from "./support/hud-process.ts";

const QUICKSTART = "examples/quickstart";
const TASKS = "examples/quickstart/tasks.ts";

let dir: string;
const servers: ServeProcess[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hud-serve-socket-"));
});

afterEach(async () => {
  await Promise.allSettled(servers.splice(0).map((server) => server[Symbol.asyncDispose]()));
  await rm(dir, { recursive: true, force: true });
});

async function serveOn(path: string): Promise<ServeProcess> {
  const server = await startServe([QUICKSTART, "--socket", path]);
  servers.push(server);
  return server;
}

describe("hud serve --socket", () => {
  it("serves on the socket; hud task and hud eval reach it by unix://; SIGTERM removes the socket", async () => {
    const path = join(dir, "env.sock");
    const server = await serveOn(path);
    expect(server.url).toBe(`unix://${path}`);
    expect(server.output()).toContain(`serving letters 0.1.0 on unix://${path}`);
    expect(statSync(path).isSocket()).toBe(true);

    const args = '{"word":"strawberry","letter":"r"}';
    const start = await runHud(["task", "start", "count", "--url", server.url, "--args", args]);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toContain("strawberry");
    const grade = await runHud(["task", "grade", "count", "--url", server.url, "--answer", "3"]);
    expect(grade.stdout.trim()).toBe("1");

    const home = join(dir, "home");
    const env = { ...process.env, HUD_HOME: home };
    const job = await runHud(["eval", TASKS, "oracle", "--all", "--runtime", server.url, "--json"], { env });
    expect(job.code, job.stderr).toBe(0);
    const summary = JSON.parse(job.stdout) as { reward: number; runs: number; errors: number };
    expect(summary).toMatchObject({ reward: 1, errors: 0 });
    expect(summary.runs).toBeGreaterThan(1);

    await stop(server.child);
    expect(existsSync(path)).toBe(false);
  });

  it("replaces a socket left by a killed server, refuses a live one and a file that is not a socket", async () => {
    const path = join(dir, "env.sock");
    const first = await serveOn(path);
    first.child.kill("SIGKILL");
    await stop(first.child);
    expect(statSync(path).isSocket()).toBe(true); // left behind: nobody removed it

    const second = await serveOn(path);
    const busy = await runHud(["serve", QUICKSTART, "--socket", path]);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toBe(`error: another server is listening on ${path}\n`);
    const task = await runHud(["task", "start", "reverse", "--url", second.url, "--args", '{"word":"abc"}']);
    expect(task.code, task.stderr).toBe(0);

    const file = join(dir, "notes.txt");
    writeFileSync(file, "keep me");
    const notSocket = await runHud(["serve", QUICKSTART, "--socket", file]);
    expect(notSocket.code).toBe(1);
    expect(notSocket.stderr).toBe(`error: ${file} exists and is not a socket: choose another socket path\n`);
    expect(readFileSync(file, "utf8")).toBe("keep me");
  });

  it("takes --socket or --port/--host, not both; clients need an absolute socket path", async () => {
    const both = await runHud(["serve", QUICKSTART, "--socket", join(dir, "x.sock"), "--port", "0"]);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe("error: hud serve: use either --socket or --port/--host, not both\n");
    const relative = await runHud(["task", "start", "reverse", "--url", "unix://env.sock"]);
    expect(relative.code).toBe(1);
    expect(relative.stderr).toContain(
      "control url 'unix://env.sock' needs an absolute socket path (unix:///path/to/socket)",
    );
  });
});
