// The maintained table of known models: provider, list prices (USD per million tokens) and context window.
//
// Prices are the vendors' public list prices, standard (non-batch, non-priority) tier, as of 2025-12:
//   Anthropic  https://docs.anthropic.com/en/docs/about-claude/pricing   (cache write = 5-minute cache)
//   OpenAI     https://platform.openai.com/docs/pricing
//   Google     https://ai.google.dev/gemini-api/docs/pricing            (paid tier, text input)
// A model newer than that date carries `estimated_from`: it is priced as its closest predecessor until its
// real price is entered here; `hud models list` marks it. Users override any entry with a price file.

export type Provider = "anthropic" | "openai" | "gemini";

/** USD per million tokens. */
export interface PriceRates {
  /** Uncached input tokens. */
  input: number;
  output: number;
  /** Input tokens read from the provider's prompt cache; the input rate when absent. */
  cached_input?: number;
  /** Input tokens written to the prompt cache (Anthropic); the input rate when absent. */
  cache_write?: number;
}

export interface ModelEntry extends PriceRates {
  /** Absent for models served only through an OpenAI-compatible endpoint (from a price file). */
  provider?: Provider;
  /** Tokens of context (input + output), when known. */
  context_window?: number;
  /** Rates that replace the base ones for the whole call when its input exceeds `above_tokens`. */
  long_context?: PriceRates & { above_tokens: number };
  /** Priced as this predecessor: the model is newer than the table's date. */
  estimated_from?: string;
  /** The entry came from a price file (HUD_PRICES_FILE), not from this table. */
  from_file?: boolean;
}

/** The date of the list prices below. */
export const PRICES_AS_OF = "2025-12";

const K = 1000;
const M = 1_048_576;

// Anthropic: cache read = 0.1× input, 5-minute cache write = 1.25× input. Sonnet 4/4.5 with the 1M-context
// beta bill the whole call at the long-context rates once input exceeds 200K tokens.
const SONNET = { input: 3, output: 15, cached_input: 0.3, cache_write: 3.75 };
const SONNET_LONG = { above_tokens: 200 * K, input: 6, output: 22.5, cached_input: 0.6, cache_write: 7.5 };
const OPUS_4 = { input: 15, output: 75, cached_input: 1.5, cache_write: 18.75 };

// Gemini 2.5 Pro and 3 Pro bill prompts over 200K tokens at a higher rate.
const GEMINI_25_PRO_LONG = { above_tokens: 200 * K, input: 2.5, output: 15, cached_input: 0.25 };
const GEMINI_3_PRO_LONG = { above_tokens: 200 * K, input: 4, output: 18, cached_input: 0.4 };

export const KNOWN_MODELS: Readonly<Record<string, ModelEntry>> = {
  // Anthropic
  "claude-opus-4-5": {
    provider: "anthropic",
    input: 5,
    output: 25,
    cached_input: 0.5,
    cache_write: 6.25,
    context_window: 200 * K,
  },
  "claude-opus-4-1": { provider: "anthropic", ...OPUS_4, context_window: 200 * K },
  "claude-opus-4": { provider: "anthropic", ...OPUS_4, context_window: 200 * K },
  "claude-sonnet-4-6": {
    provider: "anthropic",
    ...SONNET,
    long_context: SONNET_LONG,
    context_window: 200 * K,
    estimated_from: "claude-sonnet-4-5",
  },
  "claude-sonnet-4-5": {
    provider: "anthropic",
    ...SONNET,
    long_context: SONNET_LONG,
    context_window: 200 * K,
  },
  "claude-sonnet-4": { provider: "anthropic", ...SONNET, long_context: SONNET_LONG, context_window: 200 * K },
  "claude-3-7-sonnet": { provider: "anthropic", ...SONNET, context_window: 200 * K },
  "claude-haiku-4-5": {
    provider: "anthropic",
    input: 1,
    output: 5,
    cached_input: 0.1,
    cache_write: 1.25,
    context_window: 200 * K,
  },
  "claude-3-5-haiku": {
    provider: "anthropic",
    input: 0.8,
    output: 4,
    cached_input: 0.08,
    cache_write: 1,
    context_window: 200 * K,
  },
  "claude-3-haiku": {
    provider: "anthropic",
    input: 0.25,
    output: 1.25,
    cached_input: 0.03,
    cache_write: 0.3,
    context_window: 200 * K,
  },

  // OpenAI
  "gpt-5.6": {
    provider: "openai",
    input: 1.75,
    output: 14,
    cached_input: 0.175,
    context_window: 400 * K,
    estimated_from: "gpt-5.2",
  },
  "gpt-5.4-mini": {
    provider: "openai",
    input: 0.25,
    output: 2,
    cached_input: 0.025,
    context_window: 400 * K,
    estimated_from: "gpt-5-mini",
  },
  "gpt-5.2": { provider: "openai", input: 1.75, output: 14, cached_input: 0.175, context_window: 400 * K },
  "gpt-5.1": { provider: "openai", input: 1.25, output: 10, cached_input: 0.125, context_window: 400 * K },
  "gpt-5": { provider: "openai", input: 1.25, output: 10, cached_input: 0.125, context_window: 400 * K },
  "gpt-5-mini": { provider: "openai", input: 0.25, output: 2, cached_input: 0.025, context_window: 400 * K },
  "gpt-5-nano": {
    provider: "openai",
    input: 0.05,
    output: 0.4,
    cached_input: 0.005,
    context_window: 400 * K,
  },
  "gpt-4.1": { provider: "openai", input: 2, output: 8, cached_input: 0.5, context_window: 1_047_576 },
  "gpt-4.1-mini": {
    provider: "openai",
    input: 0.4,
    output: 1.6,
    cached_input: 0.1,
    context_window: 1_047_576,
  },
  "gpt-4.1-nano": {
    provider: "openai",
    input: 0.1,
    output: 0.4,
    cached_input: 0.025,
    context_window: 1_047_576,
  },
  "gpt-4o": { provider: "openai", input: 2.5, output: 10, cached_input: 1.25, context_window: 128 * K },
  "gpt-4o-mini": {
    provider: "openai",
    input: 0.15,
    output: 0.6,
    cached_input: 0.075,
    context_window: 128 * K,
  },
  o3: { provider: "openai", input: 2, output: 8, cached_input: 0.5, context_window: 200 * K },
  "o3-mini": { provider: "openai", input: 1.1, output: 4.4, cached_input: 0.55, context_window: 200 * K },
  "o4-mini": { provider: "openai", input: 1.1, output: 4.4, cached_input: 0.275, context_window: 200 * K },
  o1: { provider: "openai", input: 15, output: 60, cached_input: 7.5, context_window: 200 * K },

  // Google
  "gemini-3-pro-preview": {
    provider: "gemini",
    input: 2,
    output: 12,
    cached_input: 0.2,
    long_context: GEMINI_3_PRO_LONG,
    context_window: M,
  },
  "gemini-2.5-pro": {
    provider: "gemini",
    input: 1.25,
    output: 10,
    cached_input: 0.125,
    long_context: GEMINI_25_PRO_LONG,
    context_window: M,
  },
  "gemini-2.5-flash": { provider: "gemini", input: 0.3, output: 2.5, cached_input: 0.03, context_window: M },
  "gemini-2.5-flash-lite": {
    provider: "gemini",
    input: 0.1,
    output: 0.4,
    cached_input: 0.01,
    context_window: M,
  },
  "gemini-2.0-flash": { provider: "gemini", input: 0.1, output: 0.4, cached_input: 0.025, context_window: M },
};
