// Which agent `hud eval` runs: a built-in one by name, or a model agent (`claude`, `openai`, `gemini`,
// `openai_compatible`, or a model id) configured from --model, --max-steps and `-c key=value` settings.

import type { HumanOptions } from "../../agents/builtin/human.ts";
import { builtinAgent, isBuiltinAgent } from "../../agents/builtin/registry.ts";
import {
  AGENT_DEFAULTS,
  createAgent,
  isAgentType,
  type ModelAgentOptions,
} from "../../agents/create-agent.ts";
import { providerOf } from "../../agents/models/provider.ts";
import type { Agent } from "../../eval/agent.ts";
import { HudError } from "../../protocol/errors.ts";
import type { JsonObject } from "../../protocol/jsonrpc.ts";

export interface AgentChoice {
  agent: Agent;
  /** The model a model agent runs (recorded on the job). */
  model?: string;
  /** `-c` keys that mean nothing to this agent. */
  ignored: string[];
}

type Setter = (options: ModelAgentOptions, value: unknown, key: string) => void;

function numberOf(value: unknown, key: string): number {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new HudError(`-c ${key} must be a positive number (got ${JSON.stringify(value)})`);
  }
  return value;
}

function stringOf(value: unknown, key: string): string {
  if (typeof value !== "string" && typeof value !== "number")
    throw new HudError(`-c ${key} must be a string`);
  return String(value);
}

/** The `-c` keys model agents take, in the Python SDK's snake_case. */
const SETTINGS: Record<string, Setter> = {
  max_steps: (o, v, k) => {
    o.maxSteps = Math.floor(numberOf(v, k));
  },
  timeout_seconds: (o, v, k) => {
    o.timeoutSeconds = numberOf(v, k);
  },
  tool_timeout_seconds: (o, v, k) => {
    o.toolTimeoutSeconds = numberOf(v, k);
  },
  system_prompt: (o, v, k) => {
    o.systemPrompt = stringOf(v, k);
  },
  stop_on: (o, v, k) => {
    const names = stringOf(v, k)
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    for (const name of names) {
      if (name !== "length" && name !== "malformed_tool_call") {
        throw new HudError(`-c stop_on takes length and/or malformed_tool_call (got '${name}')`);
      }
    }
    o.stopOn = names as ("length" | "malformed_tool_call")[];
  },
  /** A per-rollout limit on input + output tokens over all calls. */
  max_tokens: (o, v, k) => {
    o.maxTotalTokens = numberOf(v, k);
  },
  /** Output tokens per model call. */
  max_output_tokens: (o, v, k) => {
    o.maxOutputTokens = Math.floor(numberOf(v, k));
  },
  max_cost_usd: (o, v, k) => {
    o.maxCostUsd = numberOf(v, k);
  },
  auto_respond: (o, v, k) => {
    if (typeof v !== "boolean") throw new HudError(`-c ${k} must be true or false`);
    o.autoRespond = v;
  },
  base_url: (o, v, k) => {
    o.baseURL = stringOf(v, k);
  },
  call_timeout_seconds: (o, v, k) => {
    o.callTimeoutSeconds = numberOf(v, k);
  },
};

export interface AgentChoiceOptions {
  model?: string;
  maxSteps: number;
  maxCostPerRollout?: number;
  config: JsonObject;
  env: Readonly<Record<string, string | undefined>>;
  human?: HumanOptions;
}

/** Whether `name` names a model agent: an agent type or a model id of a known provider. */
export function isModelAgent(name: string): boolean {
  return isAgentType(name) || providerOf(name) !== undefined;
}

/** The model `name` would run, without building it (no key needed); undefined for built-in agents. */
export function agentModel(
  name: string,
  model: string | undefined,
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  if (isBuiltinAgent(name)) return undefined;
  if (isAgentType(name)) return model ?? AGENT_DEFAULTS[name].model;
  return isModelAgent(name) || env.OPENAI_COMPATIBLE_BASE_URL ? name : undefined;
}

export function chooseAgent(name: string, options: AgentChoiceOptions): AgentChoice {
  if (isBuiltinAgent(name)) return { agent: builtinAgent(name, options.human), ignored: [] };
  const baseURL = typeof options.config.base_url === "string" ? options.config.base_url : undefined;
  if (!isModelAgent(name) && baseURL === undefined && !options.env.OPENAI_COMPATIBLE_BASE_URL) {
    return { agent: builtinAgent(name, options.human), ignored: [] };
  }
  const settings: ModelAgentOptions = { env: options.env, maxSteps: options.maxSteps };
  if (options.model !== undefined) settings.model = options.model;
  if (options.maxCostPerRollout !== undefined) settings.maxCostUsd = options.maxCostPerRollout;
  const ignored: string[] = [];
  for (const [key, value] of Object.entries(options.config)) {
    const set = SETTINGS[key];
    if (set) set(settings, value, key);
    else ignored.push(key);
  }
  if (!isAgentType(name) && options.model !== undefined && options.model !== name) {
    throw new HudError(
      `the agent '${name}' is already a model id; drop --model ${options.model} or name an agent type`,
    );
  }
  const agent = createAgent(name, settings);
  return { agent, model: agent.config.model, ignored };
}
