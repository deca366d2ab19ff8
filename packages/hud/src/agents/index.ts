// Entry point `hud/agents`: the agent contract and the agents that need no model (oracle, nop, human).
export type { Agent, AgentConfigLike } from "../eval/agent.ts";
export { type HumanOptions, human } from "./builtin/human.ts";
export { nop } from "./builtin/nop.ts";
export { oracle } from "./builtin/oracle.ts";
export { BUILTIN_AGENTS, type BuiltinAgentName, builtinAgent } from "./builtin/registry.ts";
