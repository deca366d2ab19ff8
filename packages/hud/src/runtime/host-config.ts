// What a task's runtime_config means for placements that run on this host (in-process or a child process).
import type { Task } from "../environment/task.ts";
import { HudError } from "../protocol/errors.ts";

export interface HostLimits {
  /** Seconds to wait for the environment to start: `limits.startup_timeout_s`, else the runtime's default. */
  readyTimeout: number;
  /** Set when the row asks for resources this host cannot enforce (cpu, memory, gpu, ...). */
  ignoredResources?: string[];
}

/**
 * Image and compose rows need a container engine, so they fail here with the fix; resource requests are
 * reported rather than fatal (a row written for a container should still run locally).
 */
export function hostLimits(task: Task, runtime: string, defaultReadyTimeout: number): HostLimits {
  const config = task.runtime_config;
  if (!config) return { readyTimeout: defaultReadyTimeout };
  for (const key of ["image", "compose"] as const) {
    if (config[key] !== undefined) {
      throw new HudError(
        `task '${task.slug}' asks for runtime_config.${key}, which ${runtime} cannot provide; use DockerRuntime for image and compose rows`,
      );
    }
  }
  const readyTimeout = config.limits?.startup_timeout_s ?? defaultReadyTimeout;
  const resources = Object.keys(config.resources ?? {});
  return resources.length > 0 ? { readyTimeout, ignoredResources: resources } : { readyTimeout };
}

/** Warn once per runtime instance that resource requests are not enforced. */
export function resourceWarner(
  runtime: string,
  warn: (message: string) => void,
): (limits: HostLimits) => void {
  let warned = false;
  return (limits) => {
    if (warned || !limits.ignoredResources) return;
    warned = true;
    warn(
      `${runtime} does not enforce runtime_config.resources (${limits.ignoredResources.join(", ")}); ` +
        "the environment runs with this host's resources",
    );
  };
}

/** Check a timeout option in seconds. */
export function checkSeconds(
  value: number | undefined,
  name: string,
  fallback: number,
  allowZero = false,
): number {
  const seconds = value ?? fallback;
  if (
    typeof seconds !== "number" ||
    !Number.isFinite(seconds) ||
    seconds < 0 ||
    (!allowZero && seconds === 0)
  ) {
    throw new HudError(
      `${name} must be a ${allowZero ? "non-negative" : "positive"} number of seconds (got ${String(value)})`,
    );
  }
  return seconds;
}
