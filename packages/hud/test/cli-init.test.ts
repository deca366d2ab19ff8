// `hud init` end to end: each template makes a project, outside the repository, whose tasks run at once and
// offline (oracle scores 1, nop does not); a non-empty target is refused unless --force, which keeps the rest.
import { realpathSync } from "node:fs";
import { lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { hud } from "./fixtures/cli/run-hud.ts";
import { useCleanup } from "./support/cleanup.ts";

const defer = useCleanup();
const PACKAGE = realpathSync(resolve(import.meta.dirname, ".."));
const VERSION = (JSON.parse(await readFile(join(PACKAGE, "package.json"), "utf8")) as { version: string })
  .version;
const SHARED_FILES = [
  "env.ts",
  "tasks.ts",
  "package.json",
  "tsconfig.json",
  "Dockerfile.hud",
  ".dockerignore",
  "README.md",
];

/** A temp directory (removed after the test) holding an empty `work/` and a private `home/`. */
async function scratch(): Promise<{ work: string; home: string }> {
  const dir = await mkdtemp(join(tmpdir(), "hud-cli-init-"));
  defer(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, "work"));
  return { work: join(dir, "work"), home: join(dir, "home") };
}

interface Summary {
  status: string;
  runs: number;
  reward: number;
  errors: number;
}

async function evalProject(project: string, home: string, agent: string): Promise<Summary> {
  const result = await hud(["eval", "tasks.ts", agent, "--all", "--json"], {
    home,
    cwd: project,
    timeout: 100,
  });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Summary;
}

describe("hud init", () => {
  it.each([
    ["blank", 2, []],
    ["coding", 1, ["project/src/stats.js", "project/test/stats.test.js"]],
    ["mcp", 2, []],
  ] as const)(
    "%s: a project whose tasks run offline at once — oracle scores 1, nop 0",
    { timeout: 240_000 },
    async (template, rows, extra) => {
      const { work, home } = await scratch();
      const init = await hud(["init", "demo", "-t", template, "-d", "envs"], { home, cwd: work });
      expect(init.code, init.stderr).toBe(0);
      expect(init.stderr).toBe("");
      expect(init.stdout).toContain(`Created demo (${template} template) in ${join(work, "envs/demo")}`);
      expect(init.stdout).toContain("  cd envs/demo\n");
      expect(init.stdout).toContain("npx hud eval tasks.ts oracle --all");
      expect(init.stdout).toContain("--runtime docker:demo:1");

      const project = join(work, "envs/demo");
      for (const file of [...SHARED_FILES, ...extra])
        expect((await lstat(join(project, file))).isFile()).toBe(true);
      const pkg = JSON.parse(await readFile(join(project, "package.json"), "utf8"));
      expect(pkg).toMatchObject({ name: "demo", private: true, type: "module" });
      expect(Object.keys(pkg.scripts)).toEqual(expect.arrayContaining(["eval", "serve"]));
      expect(pkg.dependencies.hud).toBe(`^${VERSION}`);
      // Linked, not installed: hud is the package running the CLI, and the binary is its own.
      expect(await readlink(join(project, "node_modules/hud"))).toBe(PACKAGE);
      expect(await readlink(join(project, "node_modules/.bin/hud"))).toBe("../hud/dist/cli/bin.js");
      for (const name of Object.keys(pkg.dependencies)) {
        expect((await lstat(join(project, "node_modules", name))).isSymbolicLink(), name).toBe(true);
      }

      const [oracle, nop] = await Promise.all([
        evalProject(project, home, "oracle"),
        evalProject(project, home, "nop"),
      ]);
      expect(oracle).toMatchObject({ status: "completed", runs: rows, reward: 1, errors: 0 });
      expect(nop).toMatchObject({ status: "completed", runs: rows, errors: 0 });
      expect(nop.reward).toBeLessThan(1);
    },
  );

  it("refuses a non-empty directory without --force, in one line, writing nothing", async () => {
    const { work, home } = await scratch();
    await mkdir(join(work, "demo"));
    await writeFile(join(work, "demo/notes.txt"), "mine\n");
    const result = await hud(["init", "demo"], { home, cwd: work });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `error: ${join(work, "demo")} is not empty (pass --force to write the template's files into it anyway)\n`,
    );
    expect(await readdir(join(work, "demo"))).toEqual(["notes.txt"]);
    expect(await readdir(work)).toEqual(["demo"]);
  });

  it("with --force writes only its own files and keeps everything else, an installed hud included", async () => {
    const { work, home } = await scratch();
    const project = join(work, "hud-env");
    await mkdir(join(project, "node_modules/hud"), { recursive: true });
    await writeFile(join(project, "node_modules/hud/package.json"), '{"name":"hud"}\n');
    await writeFile(join(project, "notes.txt"), "mine\n");
    await writeFile(join(project, "env.ts"), "// an old env.ts\n");
    const result = await hud(["init", "--force"], { home, cwd: work });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("Kept node_modules/hud (already there).");
    expect(await readFile(join(project, "notes.txt"), "utf8")).toBe("mine\n");
    expect(await readFile(join(project, "env.ts"), "utf8")).toContain('new Environment({ name: "hud-env"');
    expect((await lstat(join(project, "node_modules/hud"))).isDirectory()).toBe(true);
    expect((await readdir(project)).sort()).toEqual([...SHARED_FILES, "node_modules", "notes.txt"].sort());
    // Nothing half-written is left behind: no temp files beside ours.
    expect((await readdir(work)).sort()).toEqual(["hud-env"]);
  });

  it("names the choices for an unknown template, and refuses a path as a name, creating nothing", async () => {
    const { work, home } = await scratch();
    const unknown = await hud(["init", "demo", "--template", "nope"], { home, cwd: work });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe("error: unknown template 'nope' (choose one of: blank, coding, mcp)\n");
    const path = await hud(["init", "a/b"], { home, cwd: work });
    expect(path.code).toBe(2);
    expect(path.stderr).toMatch(/^error: the project name must be .*pick the parent directory with -d\n$/);
    expect(await readdir(work)).toEqual([]);
  });

  it("writes a Dockerfile.hud whose base image is a build argument and that serves on 0.0.0.0:8765", async () => {
    const { work, home } = await scratch();
    const result = await hud(["init", "img", "-t", "mcp"], { home, cwd: work });
    expect(result.code, result.stderr).toBe(0);
    const lines = (await readFile(join(work, "img/Dockerfile.hud"), "utf8")).split("\n");
    const from = lines.findIndex((line) => line.startsWith("FROM "));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the Dockerfile's own variable
    expect(lines[from]).toBe("FROM ${BASE}");
    expect(lines.slice(0, from)).toContain("ARG BASE=node:24-slim");
    expect(lines).toContain("EXPOSE 8765");
    expect(lines.at(-2)).toBe(
      'CMD ["node_modules/.bin/hud", "serve", "--host", "0.0.0.0", "--port", "8765"]',
    );
    // The mcp template's own imports are linked from the base image's hud too, not only hud itself.
    expect(lines.join("\n")).toContain("for dep in @modelcontextprotocol/sdk zod; do");
    expect(await readFile(join(work, "img/.dockerignore"), "utf8")).toMatch(/^node_modules$/m);
  });
});
