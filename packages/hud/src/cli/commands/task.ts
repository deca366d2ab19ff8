import { readFile } from "node:fs/promises";
import { connect as netConnect } from "node:net";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { connect, type HudClient } from "../../client/client.ts";
import type { Task } from "../../environment/task.ts";
import { writeFileAtomically } from "../../eval/atomic-write.ts";
import { environmentSourceFor } from "../../eval/environment-source.ts";
import { Taskset } from "../../eval/taskset.ts";
import { HudError, RpcError } from "../../protocol/errors.ts";
import { isObject, type JsonObject } from "../../protocol/jsonrpc.ts";
import { EngineClient, engineAddress } from "../../runtime/docker/engine-client.ts";
import { imageManifest } from "../../runtime/docker/image-manifest.ts";
import type { Lease } from "../../runtime/placement.ts";
import { SubprocessRuntime } from "../../runtime/subprocess.ts";
import { type CliIO, type Command, UsageError } from "../io.ts";

const DEFAULT_URL = "tcp://127.0.0.1:8765";

const HELP = `Usage:
  hud task list  [--source PATH | --image TAG]
  hud task start TASK [--source PATH] [--args JSON] [--url URL] [-o FILE]
  hud task grade TASK [--answer TEXT | --answer-file FILE] [--session ID] [--source PATH] [--args JSON] [--url URL] [-o FILE]

TASK is a row's slug, a template id, or a row index from --source.
Where the task runs:
  --url URL       attach to a running \`hud serve\` (tcp://host:port)
  (no --url)      attach to ${DEFAULT_URL} when something listens there and no --source is given;
                  otherwise spawn the environment of --source (default: the current directory) for this one command.
Split flow: \`hud task start\` leaves the task parked on the attached server; \`hud task grade\` in another
process adopts it (or the one named by --session). With a spawned environment, grade starts and grades in one go.

Options:
  --source PATH       task source: tasks.ts/.js/.json/.jsonl or a directory (default .)
  --image TAG         (list) the templates an image built by \`hud build\` serves, read from its label
  --args JSON         args object overriding the row's args
  --answer TEXT       the answer to grade (default "")
  --answer-file FILE  read the answer from FILE (- for stdin)
  --session ID        grade this parked session (printed by \`hud task start\`)
  -o, --out FILE      write the whole frame as JSON to FILE instead of printing the prompt/score
`;

interface Target {
  client: HudClient;
  /** The row when the task came from a source; undefined when attaching by template id. */
  row: Task | undefined;
  id: string;
  args: JsonObject;
  lease: Lease | undefined;
  attached: boolean;
}

function parseJsonArgs(text: string | undefined): JsonObject | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--args must be a JSON object: ${(error as Error).message}`);
  }
  if (!isObject(value)) throw new UsageError(`--args must be a JSON object (got ${JSON.stringify(value)})`);
  return value;
}

function pickRow(taskset: Taskset, ref: string, source: string): Task {
  const rows = [...taskset];
  const match =
    taskset.get(ref) ?? rows.find((t) => t.id === ref) ?? (/^\d+$/.test(ref) ? rows[Number(ref)] : undefined);
  if (!match) {
    throw new HudError(
      `no task matching '${ref}' in ${source} (${rows.length} tasks; see hud task list --source ${source})`,
    );
  }
  return match;
}

async function listening(url: string): Promise<boolean> {
  const { port, hostname } = new URL(url.replace(/^tcp:/, "http:"));
  return new Promise((done) => {
    const socket = netConnect({ host: hostname, port: Number(port) });
    const finish = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(250, () => finish(false));
    socket.once("connect", () => finish(true));
    socket.once("error", () => finish(false));
  });
}

async function open(ref: string, values: Values, io: CliIO, sessionId?: string): Promise<Target> {
  const override = parseJsonArgs(values.args);
  const attachUrl =
    values.url ?? (values.source === undefined && (await listening(DEFAULT_URL)) ? DEFAULT_URL : undefined);
  let row: Task | undefined;
  if (values.source !== undefined || attachUrl === undefined) {
    const source = resolve(io.cwd, values.source ?? ".");
    row = pickRow(await Taskset.fromFile(source), ref, values.source ?? ".");
  }
  const id = row?.id ?? ref;
  const args = override && Object.keys(override).length > 0 ? override : ((row?.args as JsonObject) ?? {});
  if (attachUrl !== undefined) {
    const client = await connect(attachUrl, {
      readyTimeout: 10,
      sessionId,
      authToken: io.env.HUD_SERVE_TOKEN,
    });
    return { client, row, id, args, lease: undefined, attached: true };
  }
  const runtime = new SubprocessRuntime(await environmentSourceFor(resolve(io.cwd, values.source ?? ".")));
  const lease = await runtime(row!);
  try {
    const client = await connect(lease.url, { readyTimeout: 30 });
    return { client, row, id, args, lease, attached: false };
  } catch (error) {
    await lease[Symbol.asyncDispose]();
    throw error;
  }
}

async function closeTarget(target: Target): Promise<void> {
  await target.client.close();
  if (target.lease) await target.lease[Symbol.asyncDispose]();
}

async function readAnswer(values: Values): Promise<string> {
  if (values["answer-file"] === undefined) return values.answer ?? "";
  if (values.answer !== undefined) throw new UsageError("give --answer or --answer-file, not both");
  const file = values["answer-file"];
  if (file === "-") {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8");
  }
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    throw new HudError(
      `cannot read --answer-file ${file}: ${(error as NodeJS.ErrnoException).code ?? error}`,
    );
  }
}

const options = {
  source: { type: "string" },
  image: { type: "string" },
  args: { type: "string" },
  url: { type: "string" },
  answer: { type: "string" },
  "answer-file": { type: "string" },
  session: { type: "string" },
  out: { type: "string", short: "o" },
  help: { type: "boolean", short: "h" },
} as const;

type Values = {
  [K in keyof typeof options]?: (typeof options)[K]["type"] extends "string" ? string : boolean;
};

/** The templates an image built by `hud build` serves, from its label (the image is not started). */
async function listImage(image: string, io: CliIO): Promise<number> {
  const manifest = await imageManifest(new EngineClient(engineAddress(io.env.DOCKER_HOST)), image);
  io.stdout(`${manifest.name}${manifest.version ? ` ${manifest.version}` : ""} (${image})\n`);
  for (const template of manifest.templates) {
    io.stdout(`${template.id}${template.description ? `\t${template.description}` : ""}\n`);
  }
  return 0;
}

async function list(values: Values, io: CliIO): Promise<number> {
  if (values.image !== undefined) return listImage(values.image, io);
  const source = values.source ?? ".";
  const taskset = await Taskset.fromFile(resolve(io.cwd, source));
  for (const task of taskset) {
    const args = Object.keys(task.args).length > 0 ? ` ${JSON.stringify(task.args)}` : "";
    io.stdout(`${task.slug}\t${task.id}${args}\n`);
  }
  return 0;
}

async function start(ref: string, values: Values, io: CliIO): Promise<number> {
  const target = await open(ref, values, io);
  try {
    const frame = await target.client.startTask(target.id, target.args);
    if (values.out)
      await writeFileAtomically(resolve(io.cwd, values.out), `${JSON.stringify(frame, null, 2)}\n`);
    else io.stdout(`${typeof frame.prompt === "string" ? frame.prompt : JSON.stringify(frame.prompt)}\n`);
    if (target.attached) {
      io.stderr(
        `task parked in session ${target.client.sessionId}; grade it with: hud task grade ${ref} --answer ...\n`,
      );
    } else {
      io.stderr(
        "note: the environment was spawned for this command and has exited; use --url to keep the task for grading\n",
      );
    }
    return 0;
  } finally {
    await closeTarget(target);
  }
}

async function grade(ref: string, values: Values, io: CliIO): Promise<number> {
  const answer = await readAnswer(values);
  const target = await open(ref, values, io, values.session);
  try {
    let frame: JsonObject;
    try {
      frame = await target.client.grade({ answer });
    } catch (error) {
      // Nothing parked (or a spawned env): start and grade here. Several parked stays an error.
      if (!(RpcError.is(error) && error.message === "no task in progress")) throw error;
      if (target.attached) io.stderr(`no parked task: starting '${target.id}' here and grading it\n`);
      await target.client.startTask(target.id, target.args);
      frame = await target.client.grade({ answer });
    }
    if (values.out)
      await writeFileAtomically(resolve(io.cwd, values.out), `${JSON.stringify(frame, null, 2)}\n`);
    else io.stdout(`${JSON.stringify(frame.score)}\n`);
    return 0;
  } finally {
    await closeTarget(target);
  }
}

const command: Command = async (argv, io) => {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options });
  const [action, ref, ...extra] = positionals;
  if (values.help || action === undefined) {
    io.stdout(HELP);
    return action === undefined && !values.help ? 2 : 0;
  }
  if (extra.length > 0) throw new UsageError(`unexpected arguments: ${extra.join(" ")}`);
  if (action === "list") return list(values, io);
  if (action !== "start" && action !== "grade") {
    throw new UsageError(`unknown action '${action}' (use list, start or grade)`);
  }
  if (ref === undefined)
    throw new UsageError(`hud task ${action} needs a TASK (slug, template id, or index)`);
  return action === "start" ? start(ref, values, io) : grade(ref, values, io);
};

export default command;
