// Where `hud eval` runs each row: a fresh `hud serve` child per rollout (or one per environment with --shared), a
// fresh container for rows that name an image (or every row with `--runtime docker[:image]`), or an already running
// server (`--runtime tcp://…` or `unix://…`). planEval has checked the runtime's form.
import { environmentSourceFor } from "../../eval/environment-source.ts";
import { DockerRuntime } from "../../runtime/docker/docker-runtime.ts";
import type { Placement } from "../../runtime/placement.ts";
import { Shared } from "../../runtime/shared.ts";
import { SubprocessRuntime } from "../../runtime/subprocess.ts";
import { Runtime } from "../../runtime/tcp.ts";
import { UsageError } from "../io.ts";

export interface EvalPlacement {
  placement: Placement;
  /** For the start line: how rows are placed. */
  label: string;
  close(): Promise<void>;
  /** Some rows run in containers: leftovers of crashed runs are reaped first. */
  containers: boolean;
}

export interface PlacementOptions {
  shared: boolean;
  /** Rollouts in flight (the width of a shared child). */
  width: number;
  onWarning: (message: string) => void;
  /** Secret-looking variables the environment processes may keep (e.g. a judge's API key). */
  passEnv?: string[];
  /** Some rows set `runtime_config.image`. */
  rowsNameImages: boolean;
}

/** `--runtime docker` (rows name their image) or `docker:<image>` (the image of rows that name none). */
function dockerPlacement(runtime: string, options: PlacementOptions): EvalPlacement {
  const image = runtime === "docker" ? undefined : runtime.slice("docker:".length);
  const docker = new DockerRuntime(image, { onWarning: options.onWarning });
  return {
    placement: docker,
    label: `a fresh container per rollout${image === undefined ? "" : ` of ${image}`}`,
    close: async () => {},
    containers: true,
  };
}

export async function evalPlacement(
  runtime: string,
  sourcePath: string,
  options: PlacementOptions,
): Promise<EvalPlacement> {
  if (runtime.startsWith("tcp://") || runtime.startsWith("unix://")) {
    return { placement: new Runtime(runtime), label: runtime, close: async () => {}, containers: false };
  }
  if (runtime === "hud") throw new UsageError("--runtime hud (the HUD platform) is not available yet");
  if (runtime === "docker" || runtime.startsWith("docker:")) return dockerPlacement(runtime, options);
  const served = await environmentSourceFor(sourcePath);
  const subprocess = new SubprocessRuntime(served, {
    onWarning: options.onWarning,
    passEnv: options.passEnv,
  });
  const local = options.shared ? new Shared(subprocess, { width: options.width }) : subprocess;
  // Rows that name an image run in a fresh container of it; the engine is only reached if one does.
  let docker: DockerRuntime | undefined;
  const placement: Placement = (task) => {
    if (task.runtime_config?.image === undefined) return local(task);
    docker ??= new DockerRuntime(undefined, { onWarning: options.onWarning });
    return docker(task);
  };
  return {
    placement,
    label: options.shared ? "one shared hud serve child per environment" : "a hud serve child per rollout",
    close: async () => {
      if (local instanceof Shared) await local.close();
    },
    containers: options.rowsNameImages,
  };
}
