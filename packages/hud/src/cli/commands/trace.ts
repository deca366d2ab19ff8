// `hud trace <id> [--json]`: one stored trace — prompt, agent turns, tool calls and results, errors, grade.
import { parseArgs } from "node:util";
import { LocalStore } from "../../store/local-store.ts";
import { renderTrace } from "../eval/render-trace.ts";
import { styleFor } from "../eval/style.ts";
import { type Command, UsageError } from "../io.ts";

const HELP = `Usage: hud trace <trace-id> [--json]

Show a trace from the local store ($HUD_HOME, default ~/.hud); a unique id prefix is enough.
Find trace ids with hud jobs <job-id>.

Options:
  --json      print the trace as stored (its steps in the Python SDK's JSON shapes)
  -h, --help  show this help
`;

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
  if (positionals.length !== 1) {
    throw new UsageError(
      positionals.length === 0
        ? "hud trace needs a trace id (see hud jobs <job-id>)"
        : `hud trace takes one trace id (got ${positionals.join(" ")})`,
    );
  }
  const store = LocalStore.open(io.env.HUD_HOME);
  try {
    const trace = store.trace(positionals[0]!);
    const style = styleFor(Boolean(process.stdout.isTTY), io.env);
    io.stdout(
      values.json ? `${JSON.stringify(trace, null, 2)}\n` : `${renderTrace(trace, style).join("\n")}\n`,
    );
    return 0;
  } finally {
    store.close();
  }
};

export default command;
