// The agents that need no model, by name, so `hud eval tasks.ts oracle` can find them.
import type { Agent } from "../../eval/agent.ts";
import { HudError } from "../../protocol/errors.ts";
import { providerOf } from "../models/provider.ts";
import { type HumanOptions, human } from "./human.ts";
import { nop } from "./nop.ts";
import { oracle } from "./oracle.ts";

export const BUILTIN_AGENTS = {
  oracle: "submit the template's reference solution (tasks.solve)",
  nop: "submit an empty answer",
  human: "show the prompt and capabilities, read the answer from the terminal",
  replay: "re-issue a stored trace's tool calls and submit its answer (--trace <id> or --job <id>)",
} as const;

export type BuiltinAgentName = keyof typeof BUILTIN_AGENTS;

/** Model-backed agents of the reference SDK (those without a provider here are refused by name). */
const MODEL_AGENTS = new Set([
  "claude",
  "openai",
  "gemini",
  "openai_compatible",
  "claude_sdk",
  "browser_use",
]);

export function isBuiltinAgent(name: string): name is BuiltinAgentName {
  return Object.hasOwn(BUILTIN_AGENTS, name);
}

/** Whether `name` names an agent (built-in, a model agent type, or a known provider's model id) rather than, say, a file. */
export function isAgentName(name: string): boolean {
  return isBuiltinAgent(name) || MODEL_AGENTS.has(name) || providerOf(name) !== undefined;
}

/** A built-in agent by name; model agents and unknown names fail with one line. */
export function builtinAgent(name: string, options: HumanOptions = {}): Agent {
  if (name === "oracle") return oracle;
  if (name === "nop") return nop;
  if (name === "human") return human(options);
  if (name === "replay")
    throw new HudError("the replay agent needs a stored trace: --trace <id> or --job <id>");
  if (MODEL_AGENTS.has(name))
    throw new HudError(`agent '${name}' is not available in hud for TypeScript yet`);
  throw new HudError(
    `unknown agent '${name}' (built-in: ${Object.keys(BUILTIN_AGENTS).join(", ")}; model agents: claude, openai, gemini, openai_compatible, or a model id such as claude-sonnet-4-5)`,
  );
}
