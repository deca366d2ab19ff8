// The agent contract: something that works a Run and leaves its answer in run.trace.content.
import type { Run } from "./run.ts";

export interface AgentConfigLike {
  /** Model id, recorded on the trace. */
  model?: string;
  /** Bound on the agent loop; grading still runs when it expires. */
  timeoutSeconds?: number;
}

/** An object with `run(run)`, or a plain `async (run) => void`. */
export type Agent =
  | { run(run: Run): Promise<void>; readonly config?: AgentConfigLike }
  | ((run: Run) => Promise<void>);

export function agentConfig(agent: Agent): AgentConfigLike {
  return (typeof agent === "function" ? undefined : agent.config) ?? {};
}

export function invokeAgent(agent: Agent, run: Run): Promise<void> {
  return typeof agent === "function" ? agent(run) : agent.run(run);
}
