// `hud serve [path] [-p 8765] [--host 127.0.0.1] [--token T] [--env NAME]`: serve an environment until a signal.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadEnvironment } from "../../environment/load.ts";
import { signalGroup } from "../../environment/processes/process-group.ts";
import { serve } from "../../environment/serve.ts";
import { removeOrphanedSocketDir } from "../../runtime/private-socket.ts";
import { type Command, UsageError } from "../io.ts";

const HELP = `Usage: hud serve [path] [options]

Serve an environment over the control channel until SIGINT/SIGTERM.
path: an env.ts/env.js file, a directory holding one (default: the current directory),
      or file:export to pick one export.

Options:
  -p, --port <port>   TCP port (default 8765; 0 picks a free one)
      --host <host>   interface to bind (default 127.0.0.1)
      --socket <path> listen on this unix socket instead of TCP (only users with write
                      permission on the socket file can connect; clients use unix://<path>)
      --token <t>     require this shared secret on every connection (or HUD_SERVE_TOKEN)
      --env <name>    pick an environment when the file exports several
      --park-ttl <s>  cancel a parked task nobody resumed or graded after this many seconds
                      (default 3600; 0 keeps it until the server stops)
      --exit-with-parent
                      stop when standard input closes — the process that started this one
                      died — and then end every process of this one's process group
                      (runtimes that spawn hud serve pass it)
  -h, --help          show this help

Prints HUD_SERVE_PORT=<port> (HUD_SERVE_SOCKET=<path> with --socket) on stdout once it accepts
connections.
`;

export function parsePort(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535)
    throw new UsageError(`--port must be a number from 0 to 65535 (got '${text}')`);
  return port;
}

const command: Command = async (argv, io) => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      port: { type: "string", short: "p" },
      host: { type: "string" },
      socket: { type: "string" },
      token: { type: "string" },
      env: { type: "string" },
      "park-ttl": { type: "string" },
      "exit-with-parent": { type: "boolean" },
      help: { type: "boolean", short: "h" },
      verbose: { type: "boolean", short: "v" },
    },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`hud serve takes one path (got ${positionals.join(" ")})`);
  if (values.socket !== undefined && (values.port !== undefined || values.host !== undefined))
    throw new UsageError("hud serve: use either --socket or --port/--host, not both");
  if (values.socket === "") throw new UsageError("--socket needs a path");
  const port = parsePort(values.port, 8765);
  const path = positionals[0] ?? io.cwd;
  const env = await loadEnvironment(resolve(io.cwd, path), { name: values.env });
  const host = values.host ?? "127.0.0.1";
  const parkTtl = values["park-ttl"] === undefined ? undefined : Number(values["park-ttl"]);
  if (parkTtl !== undefined && !(Number.isFinite(parkTtl) && parkTtl >= 0)) {
    throw new UsageError(`--park-ttl must be a number of seconds ≥ 0 (got '${values["park-ttl"]}')`);
  }
  // Stop on the CLI's signal (a listener on it is what tells bin.ts to let this stop gracefully), or when
  // the parent is gone.
  const stop = new AbortController();
  io.signal.addEventListener("abort", () => stop.abort(), { once: true });
  let orphaned = false;
  if (values["exit-with-parent"]) {
    const gone = () => {
      orphaned = true;
      stop.abort();
    };
    process.stdin.once("end", gone);
    process.stdin.once("error", gone);
    process.stdin.resume();
  }
  await serve(env, {
    host,
    port,
    path: values.socket === undefined ? undefined : resolve(io.cwd, values.socket),
    authToken: values.token ?? io.env.HUD_SERVE_TOKEN,
    parkTtl,
    signal: stop.signal,
    announce: (line) => io.stdout(`${line}\n`),
    warn: (line) => io.stderr(`${line}\n`),
    onListening: (server) =>
      io.stderr(
        `serving ${env.name} ${env.version} on ${server.url} ` +
          `(${env.templates.size} templates, ${env.capabilities.length} capabilities)\n`,
      ),
  });
  if (orphaned) {
    // Nobody is left to stop what the environment started and forgot: take the whole group down, this
    // process included (its own shutdown is done).
    io.stderr("hud serve: the process that started this server is gone; stopping its process group\n");
    if (values.socket !== undefined) removeOrphanedSocketDir(resolve(io.cwd, values.socket));
    signalGroup(process.pid, "SIGKILL");
  }
  return 0;
};

export default command;
