// `hud jobs [-n 20] [--json]` lists stored jobs; `hud jobs <id> [--json]` shows one job's traces.
import { parseArgs } from "node:util";
import { LocalStore } from "../../store/local-store.ts";
import { integerFlag } from "../eval/options.ts";
import { renderJobDetail, renderJobList } from "../eval/render-jobs.ts";
import { styleFor } from "../eval/style.ts";
import { type Command, UsageError } from "../io.ts";

const HELP = `Usage: hud jobs [job-id] [options]

Without an id: the newest jobs in the local store (id, name, source, agent, status, runs, mean reward, created).
With an id (a unique prefix is enough): that job and each of its traces.

Options:
  -n, --limit <n>  how many jobs to list (default 20)
  --json           print JSON: an array of jobs, or {job, traces}
  -h, --help       show this help

The store lives in $HUD_HOME (default ~/.hud).
`;

const command: Command = async (argv, io) => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      limit: { type: "string", short: "n" },
      json: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (positionals.length > 1)
    throw new UsageError(`hud jobs takes at most one job id (got ${positionals.join(" ")})`);
  const limit = integerFlag(values.limit, "--limit", 20);
  const style = styleFor(Boolean(process.stdout.isTTY), io.env);
  const store = LocalStore.open(io.env.HUD_HOME);
  try {
    const id = positionals[0];
    if (id === undefined) {
      const jobs = store.listJobs({ limit });
      io.stdout(
        values.json
          ? `${JSON.stringify(jobs, null, 2)}\n`
          : `${renderJobList(jobs, io.cwd, style).join("\n")}\n`,
      );
    } else {
      const detail = store.jobDetail(id);
      io.stdout(
        values.json
          ? `${JSON.stringify(detail, null, 2)}\n`
          : `${renderJobDetail(detail, io.cwd, style).join("\n")}\n`,
      );
    }
    return 0;
  } finally {
    store.close();
  }
};

export default command;
