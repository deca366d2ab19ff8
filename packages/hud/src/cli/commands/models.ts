// `hud models [list] [--json]`: the known models, their providers and prices (with a price file merged in).
import { parseArgs } from "node:util";
import { type ModelEntry, PRICES_AS_OF } from "../../agents/models/known-models.ts";
import { loadPriceTable } from "../../agents/models/prices.ts";
import { styleFor, table } from "../eval/style.ts";
import { type Command, UsageError } from "../io.ts";

const HELP = `Usage: hud models [list] [options]

The known models: provider, list prices in USD per million tokens (input, output, cached input),
context window. ≈ marks an estimate (a model newer than the table, priced as its predecessor).
Set HUD_PRICES_FILE to a JSON file of {"<model>": {"input": …, "output": …, "cached_input": …}} to
override or add prices (see docs/models.md).

Options:
  --json      print the table as JSON
  -h, --help  show this help
`;

export interface ModelRow {
  model: string;
  provider: string | null;
  input: number;
  output: number;
  cached_input: number | null;
  cache_write: number | null;
  context_window: number | null;
  long_context: ModelEntry["long_context"] | null;
  estimate: boolean;
  estimated_from: string | null;
  from_file: boolean;
}

function row(model: string, entry: ModelEntry): ModelRow {
  return {
    model,
    provider: entry.provider ?? null,
    input: entry.input,
    output: entry.output,
    cached_input: entry.cached_input ?? null,
    cache_write: entry.cache_write ?? null,
    context_window: entry.context_window ?? null,
    long_context: entry.long_context ?? null,
    estimate: entry.estimated_from !== undefined,
    estimated_from: entry.estimated_from ?? null,
    from_file: entry.from_file === true,
  };
}

/** `$2.50`, `$0.125`, `$0.005`: two decimals at least, more only when the price has them. */
function usd(value: number | null): string {
  if (value === null) return "-";
  const text = value.toFixed(4).replace(/0{1,2}$/, "");
  return `$${text}`;
}

function tokens(value: number | null): string {
  if (value === null) return "-";
  if (value >= 1_000_000) return `${+(value / 1_048_576).toFixed(2)}M`;
  return `${Math.round(value / 1000)}K`;
}

function note(r: ModelRow): string {
  if (r.from_file) return "price file";
  if (r.estimated_from) return `≈ priced as ${r.estimated_from}`;
  return r.long_context
    ? `>${tokens(r.long_context.above_tokens)} input: ${usd(r.long_context.input)}/${usd(r.long_context.output)}`
    : "";
}

const command: Command = async (argv, io) => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  const [sub, ...extra] = positionals;
  if (sub !== undefined && sub !== "list")
    throw new UsageError(`unknown models command '${sub}' (try: hud models list)`);
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);
  const prices = loadPriceTable(undefined, { env: io.env, cwd: io.cwd });
  const rows = [...prices.models].map(([model, entry]) => row(model, entry));
  if (values.json) {
    io.stdout(`${JSON.stringify(rows, null, 2)}\n`);
    return 0;
  }
  const style = styleFor(Boolean(process.stdout.isTTY), io.env);
  const lines = table(
    ["MODEL", "PROVIDER", "INPUT", "OUTPUT", "CACHED", "CONTEXT", "NOTE"],
    rows.map((r) => [
      r.model,
      r.provider ?? "-",
      usd(r.input),
      usd(r.output),
      usd(r.cached_input),
      tokens(r.context_window),
      note(r),
    ]),
    new Set([2, 3, 4, 5]),
  );
  io.stdout(
    [
      style.bold(lines[0]!),
      ...lines.slice(1),
      "",
      style.dim(`USD per million tokens; vendor list prices as of ${PRICES_AS_OF}. ≈ = estimate.`),
      prices.file
        ? `Price file: ${prices.file}`
        : style.dim("Override or add prices: HUD_PRICES_FILE=<file.json> (see docs/models.md)"),
      "",
    ].join("\n"),
  );
  return 0;
};

export default command;
