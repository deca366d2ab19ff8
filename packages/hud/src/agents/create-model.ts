// A model id → a ModelClient on the right provider SDK, through the HUD gateway or the provider's own key.
import { HudError } from "../protocol/errors.ts";
import type { ModelClient } from "./model/model-client.ts";
import { providerOf } from "./models/provider.ts";
import { AnthropicModel } from "./providers/anthropic/anthropic-model.ts";
import { GeminiModel } from "./providers/gemini/gemini-model.ts";
import { OpenAIModel } from "./providers/openai/openai-model.ts";
import { OpenAIChatModel } from "./providers/openai-chat/openai-chat-model.ts";

/** The agent types of the Python SDK, which are also the provider APIs we speak. */
export const AGENT_TYPES = ["claude", "openai", "gemini", "openai_compatible"] as const;
export type AgentType = (typeof AGENT_TYPES)[number];

export interface ModelClientOptions {
  /** Force a provider API (default: from the model id). */
  type?: AgentType;
  /** An OpenAI-compatible server (required for models no provider is known for) or a provider proxy. */
  baseURL?: string;
  apiKey?: string;
  /** Output token cap per call. */
  maxTokens?: number;
  /** Seconds per model call (the SDK's request timeout). */
  callTimeoutSeconds?: number;
  /** Where variables are read (default `process.env`). */
  env?: Readonly<Record<string, string | undefined>>;
}

const KEY_VARIABLES: Record<Exclude<AgentType, "openai_compatible">, string[]> = {
  claude: ["ANTHROPIC_API_KEY"],
  openai: ["OPENAI_API_KEY"],
  gemini: ["GEMINI_API_KEY", "GOOGLE_API_KEY"],
};
const BASE_URL_VARIABLES: Record<AgentType, string> = {
  claude: "ANTHROPIC_BASE_URL",
  openai: "OPENAI_BASE_URL",
  gemini: "GEMINI_BASE_URL",
  openai_compatible: "OPENAI_COMPATIBLE_BASE_URL",
};

/** Which API serves `model`: `claude-*`, `gpt-*`/`o*`, `gemini-*`; anything else an OpenAI-compatible server. */
export function agentTypeOf(model: string, baseURL?: string): AgentType {
  switch (providerOf(model)) {
    case "anthropic":
      return "claude";
    case "openai":
      return "openai";
    case "gemini":
      return "gemini";
    default:
      if (baseURL === undefined) {
        throw new HudError(
          `no provider is known for model '${model}': give the base URL of an OpenAI-compatible server (--base-url or OPENAI_COMPATIBLE_BASE_URL), or use a claude-*, gpt-*, o*, gemini-* model`,
        );
      }
      return "openai_compatible";
  }
}

/** Key and base URL: the gateway when HUD_API_KEY and HUD_GATEWAY_URL are set, else the provider's own. */
function credentials(type: AgentType, model: string, options: ModelClientOptions) {
  const env = options.env ?? process.env;
  const baseURL = options.baseURL ?? env[BASE_URL_VARIABLES[type]] ?? undefined;
  if (options.apiKey !== undefined) return { apiKey: options.apiKey, baseURL, gateway: false };
  if (env.HUD_API_KEY && env.HUD_GATEWAY_URL && options.baseURL === undefined) {
    return { apiKey: env.HUD_API_KEY, baseURL: env.HUD_GATEWAY_URL, gateway: true };
  }
  if (type === "openai_compatible") {
    return { apiKey: env.OPENAI_COMPATIBLE_API_KEY || undefined, baseURL, gateway: false };
  }
  const names = KEY_VARIABLES[type];
  const apiKey = names.map((name) => env[name]).find((value) => value);
  if (!apiKey) {
    throw new HudError(
      `model '${model}' needs ${names.join(" or ")} (or HUD_API_KEY with HUD_GATEWAY_URL to go through the HUD gateway)`,
    );
  }
  return { apiKey, baseURL, gateway: false };
}

export function createModelClient(model: string, options: ModelClientOptions = {}): ModelClient {
  const env = options.env ?? process.env;
  const type = options.type ?? agentTypeOf(model, options.baseURL ?? env.OPENAI_COMPATIBLE_BASE_URL);
  const { apiKey, baseURL, gateway } = credentials(type, model, options);
  const common = { model, apiKey, baseURL, timeoutSeconds: options.callTimeoutSeconds, gateway };
  switch (type) {
    case "claude":
      return new AnthropicModel({ ...common, apiKey: apiKey!, maxTokens: options.maxTokens });
    case "openai":
      return new OpenAIModel({ ...common, apiKey: apiKey!, maxOutputTokens: options.maxTokens });
    case "gemini":
      return new GeminiModel({ ...common, apiKey: apiKey!, maxOutputTokens: options.maxTokens });
    case "openai_compatible":
      if (baseURL === undefined) {
        throw new HudError(
          `the openai_compatible agent needs a base URL: --base-url <url> or OPENAI_COMPATIBLE_BASE_URL (e.g. http://127.0.0.1:8000/v1 for vLLM)`,
        );
      }
      return new OpenAIChatModel({ ...common, baseURL, maxTokens: options.maxTokens });
  }
}
