// DockerRuntime against a real engine (Podman in CI): rollouts in fresh containers, limits seen from inside, teardown.
import { type Agent, connect, DockerRuntime, type Lease, Task, Taskset } from "hud";
import { beforeAll, describe, expect, it } from "vitest";
import { useCleanup } from "./support/cleanup.ts";
import { containerExists, ownedContainers, skipReason } from "./support/container-engine.ts";
import { testImage } from "./support/container-image.ts";
import { promptOf } from "./support/runtime-env.ts";
import { waitUntil } from "./support/wait.ts";

const defer = useCleanup();
const skipped = await skipReason();
let image: string;

/** Answers the quickstart's count template. */
const counter: Agent = async (run) => {
  const [, letter, word] = /letter '(.)' appear in '([^']+)'/.exec(String(run.prompt)) ?? [];
  run.trace.content = String([...(word ?? "")].filter((c) => c === letter).length);
};

const countRow = (word: string) => new Task({ env: "letters", id: "count", args: { word, letter: "r" } });

async function lease(runtime: DockerRuntime, task: Task): Promise<Lease & { containerId: string }> {
  const acquired = (await runtime(task)) as Lease & { containerId: string };
  defer(() => acquired[Symbol.asyncDispose]());
  return acquired;
}

describe.skipIf(skipped !== undefined)(`DockerRuntime ${skipped ?? ""}`, () => {
  beforeAll(async () => {
    image = await testImage();
  }, 600_000);

  it("runs a quickstart rollout in a fresh container that scores 1 and is gone afterwards", async () => {
    const job = await new Taskset("boxed", [countRow("strawberry")]).run(counter, {
      runtime: new DockerRuntime(image),
    });
    expect(job.runs[0]!.trace.error).toBeUndefined();
    expect(job.runs[0]!.reward).toBe(1);
    expect(await ownedContainers()).toEqual([]);
  }, 120_000);

  it("completes 20 concurrent container rollouts, one container each", async () => {
    const words = Array.from({ length: 20 }, (_, i) => `${"r".repeat(i % 5)}berry${i}`);
    const runtime = new DockerRuntime(image);
    let peak = 0;
    const counting = async (task: Task) => {
      const acquired = await runtime(task);
      peak = Math.max(peak, (await ownedContainers()).length);
      return acquired;
    };
    const job = await new Taskset("many", words.map(countRow)).run(counter, {
      runtime: counting,
      maxConcurrent: 20,
    });
    expect(job.runs.map((run) => run.trace.error ?? run.reward)).toEqual(words.map(() => 1));
    expect(peak).toBeGreaterThan(1);
    expect(await ownedContainers()).toEqual([]);
  }, 300_000);

  it("applies runtime_config memory and CPU limits, seen from inside the container; passes env and runArgs", async () => {
    process.env.HUD_RUNNER_ONLY = "1";
    defer(() => delete process.env.HUD_RUNNER_ONLY);
    const runtime = new DockerRuntime(image, {
      env: { HUD_TEST_ENV: "probe", PROBE_VALUE: "from env" },
      runArgs: ["-e", "PROBE_ARG=from runArgs"],
      runtimeConfig: { resources: { cpu: 0.5 } },
    });
    const row = new Task({
      env: "probe",
      id: "limits",
      runtime_config: { resources: { cpu: 1.5, memory_mb: 300 } },
    });
    const { url } = await lease(runtime, row);
    expect(JSON.parse(await promptOf(url, "limits"))).toEqual({ memoryBytes: 300 * 1024 * 1024, cpus: 1.5 });
    expect(await promptOf(url, "variable", { name: "PROBE_VALUE" })).toBe("from env");
    expect(await promptOf(url, "variable", { name: "PROBE_ARG" })).toBe("from runArgs");
    // The runner's own variables stay out.
    expect(await promptOf(url, "variable", { name: "HUD_RUNNER_ONLY" })).toBe("(unset)");
    // The runtime's defaults apply to rows that set nothing.
    const plain = await lease(runtime, new Task({ env: "probe", id: "limits" }));
    expect(JSON.parse(await promptOf(plain.url, "limits"))).toEqual({ memoryBytes: null, cpus: 0.5 });
  }, 120_000);

  it("publishes the control port on 127.0.0.1 only and removes the container at dispose", async () => {
    const acquired = await lease(new DockerRuntime(image), countRow("carrot"));
    expect(acquired.url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(await containerExists(acquired.containerId)).toBe(true);
    await acquired[Symbol.asyncDispose]();
    expect(await containerExists(acquired.containerId)).toBe(false);
    await expect(connect(acquired.url, { readyTimeout: 0.5 })).rejects.toThrow(/not ready/);
  }, 120_000);

  it("tears the container down when limits.run_timeout_s runs out", async () => {
    const row = new Task({
      env: "letters",
      id: "count",
      args: { word: "r", letter: "r" },
      runtime_config: { limits: { run_timeout_s: 2 } },
    });
    const acquired = await lease(new DockerRuntime(image), row);
    const client = await connect(acquired.url);
    defer(() => client.close());
    await client.startTask(row.id, row.args);
    await waitUntil(
      async () => !(await containerExists(acquired.containerId)),
      "the container is removed",
      20,
    );
    await expect(client.grade({ answer: "1" })).rejects.toThrow();
  }, 120_000);
});
