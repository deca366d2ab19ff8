// Where `hud eval` runs each row: a fresh `hud serve` child per rollout (or one per environment with --shared),
// or an already running server (`--runtime tcp://…`). planEval has checked the runtime's form.
import { environmentSourceFor } from "../../eval/environment-source.ts";
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
}

export interface PlacementOptions {
  shared: boolean;
  /** Rollouts in flight (the width of a shared child). */
  width: number;
  onWarning: (message: string) => void;
  /** Secret-looking variables the environment processes may keep (e.g. a judge's API key). */
  passEnv?: string[];
}

export async function evalPlacement(
  runtime: string,
  sourcePath: string,
  options: PlacementOptions,
): Promise<EvalPlacement> {
  if (runtime.startsWith("tcp://")) {
    return { placement: new Runtime(runtime), label: runtime, close: async () => {} };
  }
  if (runtime === "hud") throw new UsageError("--runtime hud (the HUD platform) is not available yet");
  const served = await environmentSourceFor(sourcePath);
  const subprocess = new SubprocessRuntime(served, {
    onWarning: options.onWarning,
    passEnv: options.passEnv,
  });
  if (!options.shared) {
    return { placement: subprocess, label: "a hud serve child per rollout", close: async () => {} };
  }
  const shared = new Shared(subprocess, { width: options.width });
  return {
    placement: shared,
    label: "one shared hud serve child per environment",
    close: () => shared.close(),
  };
}
