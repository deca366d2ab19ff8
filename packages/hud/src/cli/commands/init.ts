// `hud init [name] [-t blank|coding|mcp] [-d DIR] [-f]`: a new environment project that runs right away, offline.
import { relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { projectLinks, runningHud } from "../init/hud-package.ts";
import type { ProjectFacts } from "../init/project-template.ts";
import { DEFAULT_TEMPLATE, TEMPLATES } from "../init/templates.ts";
import { targetState, writeProject } from "../init/write-project.ts";
import { type CliIO, type Command, UsageError } from "../io.ts";

const DEFAULT_NAME = "hud-env";

const HELP = `Usage: hud init [name] [options]

Create a TypeScript environment project in <dir>/<name>: env.ts, tasks.ts, package.json, Dockerfile.hud,
README.md. Its node_modules links to this hud, so \`npx hud eval tasks.ts oracle --all\` works at once, offline;
\`npm install\` replaces the links with the packages package.json lists.
name: the project's directory, package and environment name (default ${DEFAULT_NAME})

Options:
  -t, --template <t>  ${Object.entries(TEMPLATES)
    .map(([id, t]) => `${id.padEnd(7)} ${t.summary}`)
    .join("\n                      ")}
                      (default ${DEFAULT_TEMPLATE})
  -d, --dir <dir>     where to create the project (default: the current directory)
  -f, --force         write into a directory that is not empty: the template's files are written (replacing
                      same-named ones), everything else is kept
  -h, --help          show this help
`;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,213}$/;

/** Commands with their comments lined up. */
function commented(lines: [string, string][]): string[] {
  const width = Math.max(...lines.filter(([, comment]) => comment).map(([command]) => command.length));
  return lines.map(([command, comment]) =>
    comment ? `  ${command.padEnd(width)}  # ${comment}` : `  ${command}`,
  );
}

function nextSteps(io: CliIO, target: string, facts: ProjectFacts, template: string): string {
  const rel = relative(io.cwd, target);
  const { name } = facts;
  return [
    "",
    "Next steps:",
    ...commented([
      [`cd ${rel.startsWith("..") ? target : rel}`, ""],
      ["npx hud eval tasks.ts oracle --all", "the reference solutions: every task scores 1"],
      ["npx hud serve", "serve env.ts on 127.0.0.1:8765"],
      [`npx hud build -t ${name}:1`, "the image (Dockerfile.hud); run the tasks in it:"],
      [`npx hud eval tasks.ts oracle --all --runtime docker:${name}:1`, ""],
      [
        "ANTHROPIC_API_KEY=… npx hud eval tasks.ts claude --all",
        "a model agent (or openai, gemini, -m <model>)",
      ],
    ]),
    ...(template === "coding"
      ? ["", "The coding template needs bubblewrap on the host (see README.md)."]
      : []),
    "",
  ].join("\n");
}

const command: Command = async (argv, io) => {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      template: { type: "string", short: "t" },
      dir: { type: "string", short: "d" },
      force: { type: "boolean", short: "f" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    io.stdout(HELP);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError(`hud init takes one name (got ${positionals.join(" ")})`);
  const name = positionals[0] ?? DEFAULT_NAME;
  if (!NAME.test(name) || name === "node_modules") {
    throw new UsageError(
      `the project name must be letters, digits, '.', '_' or '-' (got '${name}'); pick the parent directory with -d`,
    );
  }
  const templateId = values.template ?? DEFAULT_TEMPLATE;
  const template = TEMPLATES[templateId];
  if (!Object.hasOwn(TEMPLATES, templateId) || template === undefined) {
    throw new UsageError(
      `unknown template '${templateId}' (choose one of: ${Object.keys(TEMPLATES).join(", ")})`,
    );
  }
  const target = resolve(io.cwd, values.dir ?? ".", name);
  const state = await targetState(target);
  if (state === "not-empty" && !values.force) {
    throw new UsageError(
      `${target} is not empty (pass --force to write the template's files into it anyway)`,
    );
  }

  const hud = runningHud();
  const facts: ProjectFacts = {
    name: name.toLowerCase(),
    hudVersion: hud.version,
    hudDependencies: hud.dependencies,
  };
  const files = template.files(facts);
  const { links, missing } = projectLinks(hud, template.imports);
  const result = await writeProject(target, files, links, state);

  io.stdout(`Created ${facts.name} (${templateId} template) in ${target}: ${result.written.join(", ")}\n`);
  for (const path of result.keptLinks) io.stdout(`Kept ${path} (already there).\n`);
  if (missing.length > 0) {
    io.stderr(
      `warning: ${missing.join(", ")} not found beside hud (${hud.root}): run npm install in the project\n`,
    );
  } else {
    io.stdout(
      `node_modules links to this hud ${hud.version} (${hud.root}); npm install replaces the links.\n`,
    );
  }
  io.stdout(nextSteps(io, target, facts, templateId));
  return 0;
};

export default command;
