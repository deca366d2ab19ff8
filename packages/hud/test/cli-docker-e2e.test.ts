// Containers end to end through the CLI: `hud init` → `hud build` → `hud eval --runtime docker:<tag>` scores 1 with a
// fresh container per rollout and leaves none behind — also after Ctrl-C mid-run, and after a SIGKILL once the
// next `hud eval` has reaped what the killed one left. The base image is built here from scratch (no pulls).
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LocalStore } from "../src/store/local-store.ts";
import { hud, spawnHud } from "./fixtures/cli/run-hud.ts";
import { engine, ownedContainers, skipReason } from "./support/container-engine.ts";
import { testImage } from "./support/container-image.ts";
import { waitUntil } from "./support/wait.ts";

const skipped = await skipReason();
const TAG = `hud-e2e-demo:${process.pid}`;

/** Containers (running or not) of the demo image (by image id: Podman's `ancestor` filter wants full names). */
async function demoContainers(): Promise<string[]> {
  const image = await engine.call<{ Id: string }>({ path: `/images/${encodeURIComponent(TAG)}/json` });
  const listed = await engine.call<{ Id: string; ImageID: string }[]>({ path: "/containers/json?all=1" });
  const id = image.Id.replace(/^sha256:/, "");
  return listed.filter((c) => c.ImageID.replace(/^sha256:/, "") === id).map((c) => c.Id);
}

describe.skipIf(skipped !== undefined)(`hud init → build → eval --runtime docker ${skipped ?? ""}`, () => {
  let root: string;
  let home: string;
  let project: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "hud-e2e-"));
    home = await mkdtemp(join(tmpdir(), "hud-e2e-home-"));
    project = join(root, "demo");
    const base = await testImage(engine);
    const init = await hud(["init", "demo", "-d", root], { home });
    expect(init.code, init.stderr).toBe(0);
    const built = await hud(
      [
        "build",
        project,
        "-t",
        TAG,
        "--build-arg",
        `BASE=${base}`,
        "--build-arg",
        "HUD_PACKAGE=/app/node_modules/hud",
      ],
      { home, timeout: 300 },
    );
    expect(built.code, built.stderr + built.stdout).toBe(0);
    expect(built.stdout).toMatch(new RegExp(`Built ${TAG} \\(\\w{12}\\): demo 0\\.1\\.0, 1 template: count`));
  }, 600_000);
  /** A run long enough to interrupt: 12 rollouts, 2 containers at a time. */
  const longEval = () =>
    spawnHud(
      [
        "eval",
        "tasks.ts",
        "oracle",
        "--all",
        "--group",
        "6",
        "--max-concurrent",
        "2",
        "--runtime",
        `docker:${TAG}`,
      ],
      { home, cwd: project },
    );
  afterAll(async () => {
    for (const id of await demoContainers().catch(() => []))
      await engine.send({ method: "DELETE", path: `/containers/${id}?force=1` });
    await engine
      .send({ method: "DELETE", path: `/images/${encodeURIComponent(TAG)}?force=1` })
      .catch(() => {});
    await rm(root, { recursive: true, force: true });
    await rm(home, { recursive: true, force: true });
  });

  it("lists what the image serves from its label, without starting it", async () => {
    const listed = await hud(["task", "list", "--image", TAG], { home });
    expect(listed.code, listed.stderr).toBe(0);
    expect(listed.stdout).toMatch(/^demo 0\.1\.0 \(hud-e2e-demo:\d+\)\ncount\t/);
    const missing = await hud(["task", "list", "--image", "hud-no-such-image:1"], { home });
    expect(missing.stderr.trim()).toBe(
      "error: image 'hud-no-such-image:1' not found: build it with `hud build -t hud-no-such-image:1`",
    );
  });

  it("scores 1 with one fresh container per rollout and leaves none", { timeout: 180_000 }, async () => {
    const result = await hud(
      ["eval", "tasks.ts", "oracle", "--all", "--runtime", `docker:${TAG}`, "--json"],
      {
        home,
        cwd: project,
        timeout: 150,
      },
    );
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { job_id: string; reward: number; runs: number };
    expect([summary.reward, summary.runs]).toEqual([1, 2]);
    using store = LocalStore.open(home);
    const urls = store.jobDetail(summary.job_id).traces.map((t) => store.trace(t.trace_id).runtime);
    expect(new Set(urls).size).toBe(2);
    expect(await demoContainers()).toEqual([]);
  });

  it("Ctrl-C mid-run removes the containers", { timeout: 180_000 }, async () => {
    const child = longEval();
    const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
    await waitUntil(async () => (await demoContainers()).length > 0, "a demo container exists", 60);
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    // What was still held at exit is removed by the exit hook's detached remover, moments later.
    await waitUntil(async () => (await demoContainers()).length === 0, "no demo container is left", 30);
  });

  it("after a SIGKILL, the next hud eval reaps the leftover containers", { timeout: 180_000 }, async () => {
    const child = longEval();
    const exited = new Promise<void>((resolve) => child.once("close", () => resolve()));
    await waitUntil(
      async () => (await ownedContainers(child.pid)).length > 0,
      "the run owns a container",
      60,
    );
    child.kill("SIGKILL");
    await exited;
    expect((await ownedContainers(child.pid)).length).toBeGreaterThan(0);
    const next = await hud(["eval", "tasks.ts", "nop", "--runtime", `docker:${TAG}`, "--json"], {
      home,
      cwd: project,
      timeout: 150,
    });
    expect(next.code, next.stderr).toBe(0);
    expect(next.stderr).toMatch(/note: removed \d+ container\(s\) left by an earlier hud run/);
    expect(await ownedContainers(child.pid)).toEqual([]);
    expect(await demoContainers()).toEqual([]);
  });

  it("runs a row that names its image in a container without any flag", { timeout: 120_000 }, async () => {
    const row = {
      env: "demo",
      id: "count",
      args: { sentence: "banana", letter: "a" },
      runtime_config: { image: TAG, resources: { memory_mb: 256 } },
    };
    await writeFile(join(project, "rows.jsonl"), `${JSON.stringify(row)}\n`);
    const result = await hud(["eval", "rows.jsonl", "oracle", "--json"], {
      home,
      cwd: project,
      timeout: 100,
    });
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { job_id: string; reward: number };
    expect(summary.reward).toBe(1);
    using store = LocalStore.open(home);
    const trace = store.trace(store.jobDetail(summary.job_id).traces[0]!.trace_id);
    expect(trace.runtime).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(await demoContainers()).toEqual([]);
  });
});
