// Price lookups and the cost of a call: the built-in table, dated-id resolution, and price-file overrides.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { errorMessage, HudError } from "../../protocol/errors.ts";
import { KNOWN_MODELS, type ModelEntry, type Provider } from "./known-models.ts";
import { providerOf } from "./provider.ts";

/** Model id (lowercase) → entry; `file` is the price file merged over the built-in table, if any. */
export interface PriceTable {
  readonly models: ReadonlyMap<string, ModelEntry>;
  readonly file?: string;
}

export const BUILTIN_PRICES: PriceTable = { models: new Map(Object.entries(KNOWN_MODELS)) };

/** Tokens of one call. `cached_tokens` and `cache_write_tokens` are part of `input_tokens`. */
export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  /** Read from the prompt cache: billed at the cached rate. */
  cached_tokens?: number;
  /** Written to the prompt cache (Anthropic): billed at the cache-write rate. */
  cache_write_tokens?: number;
}

/**
 * The suffixes a snapshot id adds to its base id: dates (`-20250929`, `-2024-08-06`, `-05-20`, `-09-2025`),
 * `-001`, `-latest`, `-preview`, `-exp`, Vertex `@20250929`, Bedrock `-v1:0`.
 */
const VERSION_SUFFIX =
  /^(?:[-@](?:\d{8}|\d{4}-\d{2}-\d{2}|\d{2}-\d{2}|\d{2}-\d{4}|\d{3}|latest|preview|exp|v\d+(?::\d+)?))+$/;

/** Lowercase, without a `models/` or vendor prefix (`anthropic/`, `openai/`, `google/`, Bedrock `us.anthropic.`). */
function normalize(model: string): string {
  return model
    .trim()
    .toLowerCase()
    .replace(/^models\//, "")
    .replace(/^(?:anthropic|openai|google)\//, "")
    .replace(/^(?:[a-z]{2}\.)?anthropic\./, "");
}

/**
 * The table entry that prices `model`: an exact id, else the longest table id that `model` extends only by a
 * version suffix (so `gpt-4o-mini-2024-07-18` is gpt-4o-mini, never gpt-4o). Unknown models → undefined.
 */
export function lookupModel(
  model: string,
  table: PriceTable = BUILTIN_PRICES,
): { id: string; entry: ModelEntry } | undefined {
  const id = normalize(model);
  const exact = table.models.get(id);
  if (exact) return { id, entry: exact };
  let best: string | undefined;
  for (const key of table.models.keys()) {
    if (key.length > (best?.length ?? 0) && id.startsWith(key) && VERSION_SUFFIX.test(id.slice(key.length)))
      best = key;
  }
  return best === undefined ? undefined : { id: best, entry: table.models.get(best)! };
}

function tokens(value: number | undefined): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
}

/** USD for one call, or undefined when the model has no price (never a guessed 0). */
export function costOf(
  model: string,
  usage: TokenUsage,
  table: PriceTable = BUILTIN_PRICES,
): number | undefined {
  const entry = lookupModel(model, table)?.entry;
  if (!entry) return undefined;
  const input = tokens(usage.input_tokens);
  const cached = Math.min(tokens(usage.cached_tokens), input);
  const written = Math.min(tokens(usage.cache_write_tokens), input - cached);
  const rates = entry.long_context && input > entry.long_context.above_tokens ? entry.long_context : entry;
  const usd =
    (input - cached - written) * rates.input +
    cached * (rates.cached_input ?? rates.input) +
    written * (rates.cache_write ?? rates.input) +
    tokens(usage.output_tokens) * rates.output;
  return usd / 1_000_000;
}

const PROVIDERS: readonly Provider[] = ["anthropic", "openai", "gemini"];
const RATE_KEYS = ["input", "output", "cached_input", "cache_write"] as const;
const FILE_KEYS = new Set<string>([...RATE_KEYS, "provider", "context_window"]);

/** One price-file entry, checked: prices come wholly from the file; provider and context fall back. */
function fileEntry(path: string, model: string, raw: unknown, base: ModelEntry | undefined): ModelEntry {
  const where = `price file ${path}: "${model}"`;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw))
    throw new HudError(`${where} must be an object like {"input": 3, "output": 15} (USD per million tokens)`);
  const fields = raw as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (!FILE_KEYS.has(key))
      throw new HudError(`${where} has unknown key "${key}" (allowed: ${[...FILE_KEYS].join(", ")})`);
  }
  const entry: Record<string, unknown> = {};
  for (const key of RATE_KEYS) {
    const value = fields[key];
    const required = key === "input" || key === "output";
    if (value === undefined && !required) continue;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0)
      throw new HudError(
        `${where}.${key} must be a non-negative number of USD per million tokens (got ${JSON.stringify(value) ?? "nothing"})`,
      );
    entry[key] = value;
  }
  const provider = fields.provider ?? base?.provider ?? providerOf(model);
  if (provider !== undefined) {
    if (!PROVIDERS.includes(provider as Provider))
      throw new HudError(
        `${where}.provider must be one of ${PROVIDERS.join(", ")} (got ${JSON.stringify(provider)})`,
      );
    entry.provider = provider;
  }
  const context = fields.context_window ?? base?.context_window;
  if (context !== undefined) {
    if (typeof context !== "number" || !Number.isInteger(context) || context <= 0)
      throw new HudError(
        `${where}.context_window must be a positive whole number of tokens (got ${JSON.stringify(context)})`,
      );
    entry.context_window = context;
  }
  entry.from_file = true;
  return entry as unknown as ModelEntry;
}

/**
 * The built-in table, with the price file (`file`, else `HUD_PRICES_FILE`) merged over it:
 * `{ "<model>": { "input": usdPerMTok, "output": …, "cached_input"?: …, "cache_write"?: …, "provider"?: … } }`.
 * A malformed file is one HudError line naming the file and the problem.
 */
export function loadPriceTable(
  file?: string,
  options: { env?: NodeJS.ProcessEnv; cwd?: string } = {},
): PriceTable {
  const given = file ?? (options.env ?? process.env).HUD_PRICES_FILE;
  if (given === undefined || given.trim() === "") return BUILTIN_PRICES;
  const path = resolve(options.cwd ?? process.cwd(), given);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    throw new HudError(
      `cannot read price file ${path}: ${code === "ENOENT" ? "no such file" : errorMessage(error)}`,
      { cause: error },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new HudError(`price file ${path} is not valid JSON: ${errorMessage(error)}`, { cause: error });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new HudError(
      `price file ${path} must be a JSON object of model id → {"input": …, "output": …} (got ${Array.isArray(parsed) ? "an array" : JSON.stringify(parsed)})`,
    );
  const models = new Map(BUILTIN_PRICES.models);
  for (const [model, raw] of Object.entries(parsed)) {
    const id = normalize(model);
    if (id === "") throw new HudError(`price file ${path} has an empty model id`);
    models.set(id, fileEntry(path, model, raw, BUILTIN_PRICES.models.get(id)));
  }
  return { models, file: path };
}
