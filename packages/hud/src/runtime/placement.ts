// The placement contract: where a rollout's environment runs. Calling provisions; disposing the lease tears down.
import type { Task } from "../environment/task.ts";

/** A provisioned environment: the control url to connect to, and how to release it. */
export interface Lease extends AsyncDisposable {
  /** Control channel address, `tcp://host:port` or `unix:///path/to/socket`. */
  readonly url: string;
  /** Extra connection hints for the runner (e.g. `ready_timeout`), as in the Python SDK. */
  readonly params?: Record<string, unknown>;
}

/** Anything that turns a task row into a lease; bring your own infrastructure by writing one. */
export type Placement = (task: Task) => Promise<Lease>;
