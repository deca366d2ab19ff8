// What a built-in capability (workspace, MCP server) needs from its Environment: hooks and publishing.
// Kept apart from environment.ts so attach modules can depend on it without an import cycle.
import type { Capability } from "../capabilities/capability.ts";

export interface EnvironmentHost {
  readonly name: string;
  initialize(hook: () => unknown): unknown;
  shutdown(hook: () => unknown): unknown;
  addCapability(cap: Capability): Capability;
  removeCapability(name: string): boolean;
}
