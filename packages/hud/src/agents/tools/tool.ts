// An agent tool: the spec the model sees and the function that performs a call.
import type { ToolOutput } from "../model/conversation.ts";
import type { ToolSpec } from "../model/model-client.ts";

export interface ToolContext {
  signal: AbortSignal;
  /** Seconds a single call may take (the agent's `toolTimeoutSeconds`). */
  timeoutSeconds?: number;
}

export interface AgentTool {
  spec: ToolSpec;
  call(args: Record<string, unknown>, ctx: ToolContext): Promise<ToolOutput>;
}

/**
 * The capability behind a tool failed (a dropped SSH connection, an unreachable server), as opposed to the
 * call failing. The loop gives up after a few of these in a row.
 */
export class ToolInfrastructureError extends Error {
  override name = "ToolInfrastructureError";
}

export function textOutput(text: string, isError = false, structured?: Record<string, unknown>): ToolOutput {
  return { content: [{ type: "text", text }], isError, ...(structured ? { structured } : {}) };
}

/** A required string argument, or a tool error naming it. */
export function stringArg(args: Record<string, unknown>, key: string): string {
  const value = args[key];
  if (typeof value !== "string") throw new ToolArgumentError(`'${key}' must be a string`);
  return value;
}

export function optionalNumber(args: Record<string, unknown>, key: string): number | undefined {
  const value = args[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value))
    throw new ToolArgumentError(`'${key}' must be a number`);
  return value;
}

/** Bad arguments: answered to the model as a tool error, never an infrastructure failure. */
export class ToolArgumentError extends Error {
  override name = "ToolArgumentError";
}
