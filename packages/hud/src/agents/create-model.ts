// A model id → a ModelClient on the right provider SDK, through the HUD gateway or the provider's own key.
import { HudError } from "../protocol/errors.ts";
import type { ModelClient, ModelRequest, ModelTurn } from "./model/model-client.ts";
import { providerOf } from "./models/provider.ts";

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
          `no provider is known for model '${model}': give the base URL of an OpenAI-compatible server (-c base_url=<url> or OPENAI_COMPATIBLE_BASE_URL), or use a claude-*, gpt-*, o*, gemini-* model`,
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

/** The provider API each agent type speaks, as its ModelClient reports it. */
const PROVIDER_NAMES: Record<AgentType, string> = {
  claude: "anthropic",
  openai: "openai",
  gemini: "gemini",
  openai_compatible: "openai_compatible",
};

/**
 * A client whose provider module (and SDK) loads on its first call. The SDKs take about a third of a second to
 * import; without this, every environment that imports `hud/graders` for a BashGrader, and every `hud eval` of a
 * model-free agent, would pay for them.
 */
class DeferredModel implements ModelClient {
  readonly provider: string;
  readonly model: string;
  readonly gateway: boolean;
  private readonly load: () => Promise<ModelClient>;
  private loaded: Promise<ModelClient> | undefined;

  constructor(type: AgentType, model: string, gateway: boolean, load: () => Promise<ModelClient>) {
    this.provider = PROVIDER_NAMES[type];
    this.model = model;
    this.gateway = gateway;
    this.load = load;
  }

  async complete(request: ModelRequest): Promise<ModelTurn> {
    this.loaded ??= this.load();
    return (await this.loaded).complete(request);
  }
}

/** Key, base URL and provider are checked now (a missing key is an error here); the SDK loads on first use. */
export function createModelClient(model: string, options: ModelClientOptions = {}): ModelClient {
  const env = options.env ?? process.env;
  const type = options.type ?? agentTypeOf(model, options.baseURL ?? env.OPENAI_COMPATIBLE_BASE_URL);
  const { apiKey, baseURL, gateway } = credentials(type, model, options);
  const common = { model, apiKey, baseURL, timeoutSeconds: options.callTimeoutSeconds, gateway };
  const maxTokens = options.maxTokens;
  if (type === "openai_compatible" && baseURL === undefined) {
    throw new HudError(
      `the openai_compatible agent needs a base URL: -c base_url=<url> or OPENAI_COMPATIBLE_BASE_URL (e.g. http://127.0.0.1:8000/v1 for vLLM)`,
    );
  }
  const load = async (): Promise<ModelClient> => {
    switch (type) {
      case "claude": {
        const { AnthropicModel } = await import("./providers/anthropic/anthropic-model.ts");
        return new AnthropicModel({ ...common, apiKey: apiKey!, maxTokens });
      }
      case "openai": {
        const { OpenAIModel } = await import("./providers/openai/openai-model.ts");
        return new OpenAIModel({ ...common, apiKey: apiKey!, maxOutputTokens: maxTokens });
      }
      case "gemini": {
        const { GeminiModel } = await import("./providers/gemini/gemini-model.ts");
        return new GeminiModel({ ...common, apiKey: apiKey!, maxOutputTokens: maxTokens });
      }
      case "openai_compatible": {
        const { OpenAIChatModel } = await import("./providers/openai-chat/openai-chat-model.ts");
        return new OpenAIChatModel({ ...common, baseURL: baseURL!, maxTokens });
      }
    }
  };
  return new DeferredModel(type, model, gateway, load);
}
