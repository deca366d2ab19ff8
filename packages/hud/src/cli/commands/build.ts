// `hud build [dir] [-t tag]`: build an environment's image from its Dockerfile.hud through the container engine's
// API, streaming the output, and label the image with what it serves (name, version, templates).
import { existsSync } from "node:fs";
import { basename, resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadEnvironment } from "../../environment/load.ts";
import { EngineClient, engineAddress } from "../../runtime/docker/engine-client.ts";
import { buildImage } from "../../runtime/docker/image-build.ts";
import { type ImageManifest, MANIFEST_LABEL } from "../../runtime/docker/image-manifest.ts";
import { type Command, UsageError } from "../io.ts";

const HELP = `Usage: hud build [dir] [options]

Build the environment in dir (default: here) into an image from its Dockerfile.hud, through the container
engine at DOCKER_HOST (Docker or Podman), and record what it serves in the image's ${MANIFEST_LABEL} label
(see it with: hud task list --image <tag>). Run it with: hud eval tasks.ts <agent> --runtime docker:<tag>

Options:
  -t, --tag <name[:tag]>    the image name (default: the environment's name, tag latest)
  -f, --file <Dockerfile>   the Dockerfile, relative to dir (default Dockerfile.hud)
  --build-arg <K=V>         a build argument (repeatable), e.g. BASE=node:24-slim
  --no-cache                do not reuse cached layers
  -q, --quiet               print only the result
  -h, --help                show this help
`;

const OPTIONS = {
  tag: { type: "string", short: "t" },
  file: { type: "string", short: "f" },
  "build-arg": { type: "string", multiple: true },
  "no-cache": { type: "boolean" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
} as const;

function buildArgs(pairs: readonly string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new UsageError(`--build-arg expects KEY=VALUE (got '${pair}')`);
    args[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return args;
}

/** An image reference from an environment name: lowercase, and only the characters image names allow. */
function defaultTag(name: string): string {
  const repo =
    name
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^[-._]+|[-._]+$/g, "") || "hud-env";
  return `${repo}:latest`;
}

const command: Command = async (argv, io) => {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: OPTIONS });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`unexpected arguments: ${positionals.slice(1).join(" ")}`);
  const dir = resolve(io.cwd, positionals[0] ?? ".");
  if (!existsSync(dir)) throw new UsageError(`no directory ${dir}`);
  const dockerfile = values.file ?? "Dockerfile.hud";
  const env = await loadEnvironment(dir);
  const manifest: ImageManifest = {
    name: env.name,
    version: env.version,
    templates: [...env.templates.values()].map((t) => t.manifest()),
  };
  const tag = values.tag ?? defaultTag(env.name);
  const log = values.quiet ? () => {} : (line: string) => io.stdout(`${line}\n`);
  log(`Building ${tag} from ${basename(dir)}/${dockerfile}`);
  const engine = new EngineClient(engineAddress(io.env.DOCKER_HOST));
  const id = await buildImage(engine, {
    context: dir,
    dockerfile,
    tag,
    labels: {
      [MANIFEST_LABEL]: JSON.stringify(manifest),
      "hud.env": env.name,
      "hud.version": env.version,
    },
    buildArgs: buildArgs(values["build-arg"] ?? []),
    noCache: values["no-cache"],
    onOutput: (line) => log(`  ${line}`),
    signal: io.signal,
  });
  const templates = manifest.templates.map((t) => t.id).join(", ");
  io.stdout(
    `Built ${tag} (${id.replace(/^sha256:/, "").slice(0, 12)}): ${env.name} ${env.version}, ` +
      `${manifest.templates.length} template${manifest.templates.length === 1 ? "" : "s"}: ${templates}\n`,
  );
  return 0;
};

export default command;
