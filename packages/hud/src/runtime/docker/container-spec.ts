// What one acquisition asks the engine for: the row's runtime_config over the runtime's, as a create body.
import { hostname } from "node:os";
import type { RuntimeConfig, Task } from "../../environment/task.ts";
import { HudError } from "../../protocol/errors.ts";
import type { ContainerSpec } from "./containers.ts";
import { nanoCpus, type RunArgsSpec } from "./run-args.ts";

/** Labels every container of this runner carries, so `reapContainers()` can find its leftovers. */
export const OWNER_LABEL = "hud.owner";
export const CREATED_LABEL = "hud.created";

export function ownerLabel(pid = process.pid): string {
  return `${hostname()}:${pid}`;
}

/** The resolved placement of one row. */
export interface ContainerPlan {
  image: string;
  cpus?: number;
  memoryMb?: number;
  gpus?: number;
  storageMb?: number;
  startupTimeout?: number;
  runTimeout?: number;
}

/**
 * The row's runtime_config wins over the runtime's, section by section (as in the Python SDK); image and
 * compose exclude each other, so a row naming one drops the other. Requests no container engine can honour
 * here fail with one line instead of running somewhere they did not ask for.
 */
export function planContainer(
  task: Task,
  provider: RuntimeConfig | undefined,
  defaultImage: string | undefined,
): ContainerPlan {
  const row = task.runtime_config ?? {};
  const where = `task '${task.slug}'`;
  const rowPicks = row.image !== undefined || row.compose !== undefined;
  const compose = rowPicks ? row.compose : provider?.compose;
  if (compose !== undefined) {
    throw new HudError(
      `${where} asks for runtime_config.compose, which DockerRuntime does not run yet; build one image instead`,
    );
  }
  const image = (rowPicks ? row.image : provider?.image) ?? defaultImage;
  if (image === undefined) {
    throw new HudError(`${where} has no image: pass DockerRuntime(image) or set runtime_config.image`);
  }
  const resources = { ...provider?.resources, ...row.resources };
  const limits = { ...provider?.limits, ...row.limits };
  if (resources.os !== undefined && !/^linux$/i.test(resources.os)) {
    throw new HudError(`${where} asks for os '${resources.os}'; DockerRuntime runs Linux containers only`);
  }
  if (resources.tpu !== undefined)
    throw new HudError(`${where} asks for a TPU, which DockerRuntime cannot attach`);
  if (resources.gpu?.type !== undefined) {
    throw new HudError(
      `${where} asks for GPU type ${JSON.stringify(resources.gpu.type)}; DockerRuntime can request a GPU count only (drop resources.gpu.type)`,
    );
  }
  return {
    image,
    cpus: resources.cpu,
    memoryMb: resources.memory_mb,
    gpus: resources.gpu ? (resources.gpu.count ?? 1) : undefined,
    storageMb: resources.storage_mb,
    startupTimeout: limits.startup_timeout_s,
    runTimeout: limits.run_timeout_s,
  };
}

export interface SpecInputs {
  plan: ContainerPlan;
  /** The control port inside the container. */
  port: number;
  runArgs: RunArgsSpec;
  env: Record<string, string>;
  slug: string;
}

/**
 * The create body: the control port published on 127.0.0.1 only, on a port the engine picks; resources from
 * the plan (which win over `--cpus`/`--memory` in runArgs, as the row is the more specific request).
 */
export function containerSpec({ plan, port, runArgs, env, slug }: SpecInputs): ContainerSpec {
  const portKey = `${port}/tcp`;
  const host = { ...runArgs.HostConfig };
  if (plan.cpus !== undefined) host.NanoCpus = nanoCpus(plan.cpus, `task '${slug}' resources.cpu`);
  if (plan.memoryMb !== undefined) host.Memory = Math.round(plan.memoryMb * 1024 * 1024);
  if (plan.gpus !== undefined)
    host.DeviceRequests = [{ Driver: "", Count: plan.gpus, Capabilities: [["gpu"]] }];
  return {
    Image: plan.image,
    Env: [...runArgs.Env, ...Object.entries(env).map(([name, value]) => `${name}=${value}`)],
    ...(runArgs.User === undefined ? {} : { User: runArgs.User }),
    ...(runArgs.WorkingDir === undefined ? {} : { WorkingDir: runArgs.WorkingDir }),
    ...(runArgs.Entrypoint === undefined ? {} : { Entrypoint: runArgs.Entrypoint }),
    Labels: {
      ...runArgs.Labels,
      [OWNER_LABEL]: ownerLabel(),
      [CREATED_LABEL]: new Date().toISOString(),
      "hud.task": slug,
    },
    ExposedPorts: { [portKey]: {} },
    HostConfig: { ...host, PortBindings: { [portKey]: [{ HostIp: "127.0.0.1", HostPort: "" }] } },
  };
}
