// createAgent: an agent type or model id → a ToolAgent on the right provider, with the reference's defaults.
import {
  AGENT_TYPES,
  type AgentType,
  agentTypeOf,
  createModelClient,
  type ModelClientOptions,
} from "./create-model.ts";
import { costOf, loadPriceTable, type PriceTable } from "./models/prices.ts";
import { type Pricing, ToolAgent, type ToolAgentConfig } from "./tool-agent.ts";
import type { AgentTool } from "./tools/tool.ts";
import type { WorkspaceToolFlavor } from "./tools/workspace-tools.ts";

export interface ModelAgentOptions extends ModelClientOptions, Partial<ToolAgentConfig> {
  /** Prices for cost accounting (default: the built-in table with `HUD_PRICES_FILE` merged over it). */
  prices?: PriceTable;
  /** Tools of your own next to the capabilities' tools. */
  tools?: readonly AgentTool[];
}

/** Each type's default model and settings (python-sdk §4.1). */
export const AGENT_DEFAULTS: Record<
  AgentType,
  { model: string; flavor: WorkspaceToolFlavor } & Partial<ToolAgentConfig>
> = {
  claude: { model: "claude-sonnet-4-6", flavor: "claude", toolTimeoutSeconds: 120, maxOutputTokens: 16384 },
  openai: { model: "gpt-5.6", flavor: "openai" },
  gemini: { model: "gemini-3-pro-preview", flavor: "gemini", maxOutputTokens: 8192 },
  openai_compatible: { model: "gpt-5.4-mini", flavor: "chat" },
};

export function isAgentType(name: string): name is AgentType {
  return (AGENT_TYPES as readonly string[]).includes(name);
}

export function pricingFrom(table: PriceTable): Pricing {
  return (model, turn) =>
    costOf(
      model,
      {
        input_tokens: turn.usage.inputTokens,
        output_tokens: turn.usage.outputTokens,
        cached_tokens: turn.usage.cachedInputTokens,
      },
      table,
    );
}

/**
 * `createAgent("claude")`, `createAgent("openai", { model: "gpt-5" })` or `createAgent("claude-sonnet-4-5")`: an
 * agent type uses `options.model` or its default model; any other name is the model id, and its provider follows
 * from it (an unknown one needs `baseURL` and goes to the OpenAI-compatible chat agent).
 */
export function createAgent(agent: string, options: ModelAgentOptions = {}): ToolAgent {
  const env = options.env ?? process.env;
  const type: AgentType = isAgentType(agent)
    ? agent
    : (options.type ?? agentTypeOf(agent, options.baseURL ?? env.OPENAI_COMPATIBLE_BASE_URL));
  const defaults = AGENT_DEFAULTS[type];
  const model = isAgentType(agent) ? (options.model ?? defaults.model) : agent;
  const { flavor, ...configDefaults } = defaults;
  const {
    prices,
    tools,
    type: _type,
    baseURL,
    apiKey,
    env: _env,
    maxTokens,
    callTimeoutSeconds: _t,
    ...config
  } = options;
  const merged: ToolAgentConfig = { ...configDefaults, ...config, model };
  const client = createModelClient(model, {
    type,
    baseURL,
    apiKey,
    env,
    maxTokens: maxTokens ?? merged.maxOutputTokens,
    callTimeoutSeconds: options.callTimeoutSeconds,
  });
  return new ToolAgent(client, merged, {
    flavor,
    pricing: pricingFrom(prices ?? loadPriceTable(undefined, { env: env as NodeJS.ProcessEnv })),
    tools,
  });
}
