// The files every `hud init` template shares: package.json, tsconfig.json, Dockerfile.hud, .dockerignore, README.
import type { ProjectFacts, ScaffoldFile } from "./project-template.ts";

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

export function packageJson(
  facts: ProjectFacts,
  description: string,
  imports: readonly string[],
): ScaffoldFile {
  const dependencies: Record<string, string> = { hud: `^${facts.hudVersion}` };
  for (const name of imports) dependencies[name] = facts.hudDependencies[name] ?? "*";
  return {
    path: "package.json",
    text: json({
      name: facts.name,
      version: "0.1.0",
      private: true,
      description,
      type: "module",
      engines: { node: ">=22.18" },
      scripts: {
        eval: "hud eval tasks.ts --all",
        serve: "hud serve",
        typecheck: "tsc",
      },
      dependencies,
      devDependencies: { "@types/node": "^24.0.0", typescript: "^5.9.0" },
    }),
  };
}

/** For editors and `npm run typecheck`: Node runs the .ts files as they are (type stripping). */
export function tsconfig(): ScaffoldFile {
  return {
    path: "tsconfig.json",
    text: json({
      compilerOptions: {
        target: "es2024",
        lib: ["es2024", "esnext.disposable"],
        module: "nodenext",
        strict: true,
        noEmit: true,
        allowImportingTsExtensions: true,
        erasableSyntaxOnly: true,
        verbatimModuleSyntax: true,
        skipLibCheck: true,
        types: ["node"],
      },
      include: ["*.ts"],
    }),
  };
}

export function dockerignore(): ScaffoldFile {
  return {
    path: ".dockerignore",
    text: ["node_modules", ".hud", ".git", "*.log", ".env", ""].join("\n"),
  };
}

/**
 * The shell lines of the RUN that links the base image's hud (and `imports`, hud's dependencies, from beside it)
 * into node_modules, each ending in `; \\` so the `elif` can follow.
 */
function linkFromBase(imports: readonly string[]): string[] {
  const lines = [
    "      mkdir -p node_modules/.bin; \\",
    `      ln -s "$HUD_PACKAGE" node_modules/hud; \\`,
    "      ln -s ../hud/dist/cli/bin.js node_modules/.bin/hud; \\",
  ];
  if (imports.length === 0) return lines;
  return [
    ...lines,
    `      for dep in ${imports.join(" ")}; do \\`,
    `        for dir in "$HUD_PACKAGE/node_modules/$dep" "$(dirname "$HUD_PACKAGE")/$dep"; do \\`,
    `          if [ -d "$dir" ]; then mkdir -p "node_modules/$(dirname "$dep")"; ln -s "$dir" "node_modules/$dep"; break; fi; \\`,
    "        done; \\",
    `        [ -e "node_modules/$dep" ] || { echo "$dep is not installed beside $HUD_PACKAGE" >&2; exit 1; }; \\`,
    "      done; \\",
  ];
}

/**
 * The environment's image. `BASE` is a build argument so any image with Node works (tests use one built from
 * scratch); a hud already installed in it is linked instead of downloaded, so the build can run offline.
 */
export function dockerfile(
  facts: ProjectFacts,
  imports: readonly string[],
  systemSetup: string[] = [],
): ScaffoldFile {
  const lines = [
    `# The image of the ${facts.name} environment: \`npx hud build -t ${facts.name}:1\` builds it (or`,
    `# \`docker build -f Dockerfile.hud -t ${facts.name}:1 .\`), and`,
    `# \`npx hud eval tasks.ts oracle --all --runtime docker:${facts.name}:1\` runs the tasks in it.`,
    "#",
    "# BASE: any image with Node 22.18 or newer. When it already holds the hud package at HUD_PACKAGE (where",
    "# `npm install -g hud` puts it), that copy and its dependencies are linked in and nothing is downloaded;",
    "# otherwise npm installs the dependencies from the registry.",
    "ARG BASE=node:24-slim",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a Dockerfile variable, not a JavaScript one
    "FROM ${BASE}",
    "ARG HUD_PACKAGE=/usr/local/lib/node_modules/hud",
    ...systemSetup,
    "WORKDIR /env",
    "COPY package*.json ./",
    `RUN set -e; if [ -d "$HUD_PACKAGE" ]; then \\`,
    ...linkFromBase(imports),
    "    elif [ -f package-lock.json ]; then npm ci --omit=dev --no-audit --no-fund; \\",
    "    else npm install --omit=dev --no-audit --no-fund; fi",
    "COPY . .",
    "EXPOSE 8765",
    'CMD ["node_modules/.bin/hud", "serve", "--host", "0.0.0.0", "--port", "8765"]',
    "",
  ];
  return { path: "Dockerfile.hud", text: lines.join("\n") };
}

export interface ReadmeParts {
  /** What the environment is, in a paragraph or two (markdown). */
  about: string;
  /** The project's own files besides the shared ones, as markdown list items. */
  files: string[];
  /** Extra notes (markdown paragraphs), e.g. requirements. */
  notes?: string[];
}

export function readme(facts: ProjectFacts, parts: ReadmeParts): ScaffoldFile {
  const { name } = facts;
  const text = [
    `# ${name}`,
    "",
    parts.about,
    "",
    "## Run it",
    "",
    "```sh",
    "npx hud eval tasks.ts oracle --all     # the reference solutions: every task scores 1",
    "npx hud eval tasks.ts nop --all        # empty answers: every task scores 0",
    "npx hud jobs                           # the stored runs; npx hud trace <id> shows one rollout",
    "npx hud serve                          # serve env.ts on 127.0.0.1:8765 (then: npx hud task list)",
    "ANTHROPIC_API_KEY=… npx hud eval tasks.ts claude --all   # a model agent (or openai, gemini, -m <model>)",
    "```",
    "",
    "`node_modules/` starts out as links to the hud that created this project (and the packages it brings), so",
    "everything above works offline; `npm install` replaces them with the versions `package.json` asks for (and",
    "adds TypeScript for `npm run typecheck`). Node runs the `.ts` files as they are: use erasable TypeScript",
    "(no `enum`, no parameter properties, no `namespace`).",
    "",
    ...(parts.notes ?? []).flatMap((note) => [note, ""]),
    "## Files",
    "",
    ...parts.files,
    "- `tasks.ts` — the task rows: calling a template with its args makes one (nothing runs until a runner starts it).",
    "- `Dockerfile.hud` — the environment's image, serving `hud serve --host 0.0.0.0 --port 8765`.",
    "",
    "## In a container",
    "",
    "```sh",
    `npx hud build -t ${name}:1`,
    `npx hud eval tasks.ts oracle --all --runtime docker:${name}:1`,
    "```",
    "",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the Dockerfile's line, quoted
    "`Dockerfile.hud` builds `FROM ${BASE}` (default `node:24-slim`; change it with `--build-arg BASE=<image>`).",
    "If the base image already has hud installed globally (`HUD_PACKAGE`, default",
    "`/usr/local/lib/node_modules/hud`), that copy is linked in and nothing is downloaded; otherwise npm installs",
    "the dependencies.",
    "",
  ];
  return { path: "README.md", text: text.join("\n") };
}
