// The CLI's table of contents: each command lives in commands/<name>.ts and is imported only when used.
import { readFileSync } from "node:fs";
import { errorMessage, HudError, RpcError } from "../protocol/errors.ts";
import type { CliIO, Command } from "./io.ts";
import { UsageError } from "./io.ts";

interface Entry {
  summary: string;
  load: () => Promise<{ default: Command }>;
}

export const commands: Record<string, Entry> = {
  eval: {
    summary: "run an agent over tasks and report the rewards (stored; see hud jobs)",
    load: () => import("./commands/eval.ts"),
  },
  jobs: {
    summary: "list stored jobs, or show one job's traces",
    load: () => import("./commands/jobs.ts"),
  },
  trace: {
    summary: "show a stored trace: prompt, turns, tool calls and results, grade",
    load: () => import("./commands/trace.ts"),
  },
  serve: {
    summary: "serve an environment over the control channel",
    load: () => import("./commands/serve.ts"),
  },
  task: {
    summary: "list, start and grade tasks (split start/grade across processes)",
    load: () => import("./commands/task.ts"),
  },
  models: { summary: "list the known models with their prices", load: () => import("./commands/models.ts") },
  build: {
    summary: "build an environment's image from its Dockerfile.hud (labelled with what it serves)",
    load: () => import("./commands/build.ts"),
  },
  init: {
    summary: "create an environment project (env.ts, tasks.ts, Dockerfile.hud) that runs offline at once",
    load: () => import("./commands/init.ts"),
  },
};

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

function help(): string {
  const width = Math.max(...Object.keys(commands).map((n) => n.length));
  const lines = Object.entries(commands).map(([name, entry]) => `  ${name.padEnd(width)}  ${entry.summary}`);
  return [
    "hud — build, serve and evaluate agent environments",
    "",
    "Usage: hud <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Options:",
    "  -h, --help     show help (also: hud <command> --help)",
    "  -V, --version  print the version",
    "  -v, --verbose  show stack traces on errors",
    "",
  ].join("\n");
}

/** Run the CLI; returns the exit code. */
export async function main(argv: string[], io: CliIO): Promise<number> {
  const verbose = argv.includes("-v") || argv.includes("--verbose");
  const args = argv.filter((a) => a !== "--verbose" && a !== "-v");
  const [name, ...rest] = args;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    io.stdout(help());
    return name === undefined ? 2 : 0;
  }
  if (name === "-V" || name === "--version") {
    io.stdout(`${version()}\n`);
    return 0;
  }
  const entry = commands[name];
  if (!entry) {
    io.stderr(`error: unknown command '${name}' (run hud --help for the list)\n`);
    return 2;
  }
  try {
    const command = (await entry.load()).default;
    return await command(rest, { ...io, verbose: verbose || io.verbose });
  } catch (error) {
    return report(error, io, verbose);
  }
}

/** One clear line for expected failures; the stack only with -v. */
export function report(error: unknown, io: CliIO, verbose: boolean): number {
  if (
    error instanceof UsageError ||
    String((error as { code?: unknown })?.code).startsWith("ERR_PARSE_ARGS")
  ) {
    io.stderr(`error: ${errorMessage(error)}\n`);
    return 2;
  }
  const expected = HudError.is(error) || RpcError.is(error) || isNodeSystemError(error);
  // A HudError's lines after the first are its evidence (e.g. a child's last output lines).
  const message = HudError.is(error) ? errorMessage(error).trimEnd() : errorMessage(error).split("\n")[0];
  io.stderr(`error: ${message}\n`);
  if (verbose && error instanceof Error && error.stack) io.stderr(`${error.stack}\n`);
  else if (!expected) io.stderr("(run with -v for details)\n");
  return 1;
}

function isNodeSystemError(error: unknown): boolean {
  return (
    typeof (error as { code?: unknown })?.code === "string" &&
    typeof (error as { syscall?: unknown })?.syscall === "string"
  );
}
