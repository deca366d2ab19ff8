// A row's placement: its runtime_config over the runtime's, refusals in one line, and the create body it becomes.
import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { Task, type TaskInit } from "../../environment/task.ts";
import { containerSpec, planContainer } from "./container-spec.ts";
import { parseRunArgs } from "./run-args.ts";

const task = (runtime_config?: TaskInit["runtime_config"]) =>
  new Task({ env: "letters", id: "count", slug: "row-1", runtime_config });

describe("planContainer", () => {
  it("takes the runtime's image and config unless the row sets its own, section by section", () => {
    const provider = { resources: { cpu: 2, memory_mb: 1024 }, limits: { startup_timeout_s: 30 } };
    expect(planContainer(task(), provider, "base:1")).toMatchObject({
      image: "base:1",
      cpus: 2,
      memoryMb: 1024,
      startupTimeout: 30,
    });
    const row = task({ image: "row:2", resources: { memory_mb: 512 }, limits: { run_timeout_s: 60 } });
    expect(planContainer(row, provider, "base:1")).toMatchObject({
      image: "row:2",
      cpus: 2,
      memoryMb: 512,
      startupTimeout: 30,
      runTimeout: 60,
    });
    // A row naming an image drops a compose the runtime was configured with.
    expect(planContainer(task({ image: "row:2" }), { compose: "compose.yaml" }, undefined).image).toBe(
      "row:2",
    );
    expect(planContainer(task({ resources: { gpu: {} } }), undefined, "base:1").gpus).toBe(1);
  });

  it("refuses what it cannot place, naming the row", () => {
    expect(() => planContainer(task(), undefined, undefined)).toThrow(
      "task 'row-1' has no image: pass DockerRuntime(image) or set runtime_config.image",
    );
    expect(() => planContainer(task({ compose: "compose.yaml" }), undefined, "base:1")).toThrow(
      /task 'row-1' asks for runtime_config.compose, which DockerRuntime does not run yet/,
    );
    expect(() => planContainer(task({ resources: { os: "windows" } }), undefined, "b")).toThrow(
      /asks for os 'windows'; DockerRuntime runs Linux containers only/,
    );
    expect(() =>
      planContainer(task({ resources: { tpu: { type: "v4", topology: "2x2" } } }), undefined, "b"),
    ).toThrow(/asks for a TPU/);
    expect(() =>
      planContainer(task({ resources: { gpu: { type: "L4", count: 1 } } }), undefined, "b"),
    ).toThrow(/asks for GPU type "L4"; DockerRuntime can request a GPU count only/);
  });
});

describe("containerSpec", () => {
  it("publishes the control port on 127.0.0.1 with an engine-picked port, labels the owner, applies resources", () => {
    const spec = containerSpec({
      plan: { image: "env:1", cpus: 1.5, memoryMb: 300, gpus: 2 },
      port: 8765,
      runArgs: parseRunArgs(["-e", "A=1", "--cpus", "4", "-l", "team=evals"]),
      env: { B: "2" },
      slug: "row-1",
    });
    expect(spec.Image).toBe("env:1");
    expect(spec.Env).toEqual(["A=1", "B=2"]);
    expect(spec.ExposedPorts).toEqual({ "8765/tcp": {} });
    expect(spec.HostConfig.PortBindings).toEqual({ "8765/tcp": [{ HostIp: "127.0.0.1", HostPort: "" }] });
    // The row's request wins over --cpus in runArgs.
    expect(spec.HostConfig.NanoCpus).toBe(1_500_000_000);
    expect(spec.HostConfig.Memory).toBe(300 * 1024 * 1024);
    expect(spec.HostConfig.DeviceRequests).toEqual([{ Driver: "", Count: 2, Capabilities: [["gpu"]] }]);
    expect(spec.Labels).toMatchObject({
      team: "evals",
      "hud.owner": `${hostname()}:${process.pid}`,
      "hud.task": "row-1",
    });
    expect(new Date(spec.Labels["hud.created"]!).getTime()).toBeGreaterThan(Date.now() - 60_000);
  });
});
