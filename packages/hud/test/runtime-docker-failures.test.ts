// DockerRuntime failures against a real engine: broken rows fail alone with one line; leftovers are removed or reaped.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { type Agent, DockerRuntime, HudError, type Lease, reapContainers, Task, Taskset } from "hud";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { useCleanup } from "./support/cleanup.ts";
import { containerExists, engine, ownedContainers, skipReason } from "./support/container-engine.ts";
import { derivedImage, removeImage, testImage } from "./support/container-image.ts";
import { waitUntil } from "./support/wait.ts";

const defer = useCleanup();
const skipped = await skipReason();
const suffix = `${process.pid}-${Date.now().toString(36)}`;
const images: string[] = [];
let image: string;

const counter: Agent = async (run) => {
  run.trace.content = "3";
};

const row = (slug: string, runtime_config?: Task["runtime_config"]) =>
  new Task({ env: "letters", id: "count", slug, args: { word: "strawberry", letter: "r" }, runtime_config });

/** A runner process holding one lease of `image`; `mode` "exit" exits normally, otherwise it waits to be killed. */
async function runner(mode: "exit" | "wait") {
  const fixture = new URL("./fixtures/runtime/container-owner.ts", import.meta.url).pathname;
  const child = spawn(process.execPath, ["--conditions=hud-source", fixture, image, mode], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  defer(() => child.kill("SIGKILL"));
  const [chunk] = (await once(child.stdout!, "data")) as [Buffer];
  expect(chunk.toString()).toBe("leased\n");
  return child;
}

describe.skipIf(skipped !== undefined)(`DockerRuntime failures ${skipped ?? ""}`, () => {
  beforeAll(async () => {
    image = await testImage();
    for (const name of ["exits", "hangs"])
      images.push(await derivedImage(image, `hud-test-${name}:${suffix}`, { HUD_TEST_ENV: name }));
  }, 600_000);

  afterAll(async () => {
    for (const tag of images) await removeImage(tag);
  });

  it("an image that exits before serving, one that never serves and a missing one fail alone, in one line with logs", async () => {
    const missing = `hud-test-missing:${suffix}`;
    const rows = [
      row("good-1"),
      row("exits", { image: images[0] }),
      row("hangs", { image: images[1], limits: { startup_timeout_s: 10 } }),
      row("missing", { image: missing }),
      row("good-2"),
    ];
    const job = await new Taskset("faults", rows).run(counter, { runtime: new DockerRuntime(image) });
    const bySlug = Object.fromEntries(job.runs.map((run) => [run.task.slug, run]));
    expect(bySlug["good-1"]!.reward).toBe(1);
    expect(bySlug["good-2"]!.reward).toBe(1);
    const errors = Object.fromEntries(
      ["exits", "hangs", "missing"].map((slug) => [slug, bySlug[slug]!.trace.error!]),
    );
    for (const error of Object.values(errors)) expect(error).not.toContain("\n");
    expect(errors.exits).toMatch(
      new RegExp(
        `^\\[provisioning\\] HudError: container [0-9a-f]{12} of ${images[0]} exited with code 1 before serving: `,
      ),
    );
    expect(errors.exits).toContain("loading the exits fixture ⏎ ");
    expect(errors.exits).toContain("fixture exploded while loading");
    expect(errors.hangs).toMatch(/container [0-9a-f]{12} of hud-test-hangs:\S+ did not serve within 10s: /);
    expect(errors.hangs).toContain("initialize hook started and will never finish");
    expect(errors.missing).toBe(
      `[provisioning] HudError: image '${missing}' not found: build it with \`hud build -t ${missing}\``,
    );
    expect(await ownedContainers()).toEqual([]);
  }, 180_000);

  it("removes the containers of a runner that exits without disposing its leases", async () => {
    const child = await runner("exit");
    await once(child, "exit");
    expect(child.exitCode).toBe(0);
    await waitUntil(
      async () => (await ownedContainers(child.pid)).length === 0,
      "the exit hook removed it",
      30,
    );
  }, 120_000);

  it("removes a container whose creation was still in flight when its runner exited", async () => {
    const fixture = new URL("./fixtures/runtime/container-owner.ts", import.meta.url).pathname;
    const child = spawn(process.execPath, ["--conditions=hud-source", fixture, image, "creating"], {
      stdio: "inherit",
    });
    defer(() => child.kill("SIGKILL"));
    await once(child, "exit");
    // The engine finishes the creation after the runner is gone; the exit hook's remover sweeps for it.
    await waitUntil(
      async () => (await ownedContainers(child.pid)).length > 0,
      "the late container exists",
      10,
    );
    await waitUntil(async () => (await ownedContainers(child.pid)).length === 0, "the remover swept it", 30);
  }, 120_000);

  it("reaps the containers of a runner that was killed, and leaves those of live runners alone", async () => {
    const mine = (await new DockerRuntime(image)(row("mine"))) as Lease & { containerId: string };
    defer(() => mine[Symbol.asyncDispose]());
    const child = await runner("wait");
    const [left] = await ownedContainers(child.pid);
    child.kill("SIGKILL");
    await once(child, "exit");
    expect(await containerExists(left!)).toBe(true);
    const reaped = await reapContainers();
    expect(reaped).toContain(left);
    expect(reaped).not.toContain(mine.containerId);
    expect(await containerExists(left!)).toBe(false);
    expect(await containerExists(mine.containerId)).toBe(true);
  }, 120_000);

  it("refuses GPU requests the engine cannot pass, before creating anything", async () => {
    const version = await engine.call<{ Components?: { Name: string }[] }>({ path: "/version" });
    const podman = version.Components?.some((c) => /podman/i.test(c.Name));
    const gpuRow = row("gpu", { resources: { gpu: { count: 1 } } });
    const attempt = new DockerRuntime(image)(gpuRow);
    if (podman)
      await expect(attempt).rejects.toThrow(/asks for 1 GPU\(s\), but Podman's Docker API does not pass/);
    else
      await attempt.then(
        (lease) => lease[Symbol.asyncDispose](),
        () => {},
      );
    expect(await ownedContainers()).toEqual([]);
  }, 60_000);
});

describe("DockerRuntime without an engine", () => {
  it("fails with one line naming the socket and the fix", async () => {
    const runtime = new DockerRuntime("anything:1", { dockerHost: "unix:///nonexistent/hud-test.sock" });
    const attempt = runtime(row("no-engine"));
    await expect(attempt).rejects.toThrow(HudError);
    await expect(attempt).rejects.toThrow(
      "no container engine at /nonexistent/hud-test.sock: start Docker or `podman system service` and set DOCKER_HOST",
    );
  });
});
