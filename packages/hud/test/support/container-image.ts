// The test containers' image, built FROM scratch through the engine API (nothing can be pulled here): this Node
// binary and the libraries `ldd` lists, busybox as the shell, hud's sources with the packages `hud serve` loads.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { EngineClient } from "../../src/runtime/docker/engine-client.ts";
import { type TarEntry, tarStream } from "../../src/runtime/docker/tar-stream.ts";

const REPO = resolve(import.meta.dirname, "../../../..");
const HUD = join(REPO, "packages/hud");
const FIXTURES = join(HUD, "test/fixtures/container");
const REPOSITORY = "hud-test-node";
/** Model SDKs: `hud serve` never loads them, and they are most of the dependency weight. */
const LEFT_OUT = new Set(["@anthropic-ai/sdk", "openai", "@google/genai"]);

/**
 * Serves `/app/envs/$HUD_TEST_ENV/env.ts` (default: the quickstart) on 0.0.0.0:8765, so derived images pick
 * another fixture with one ENV line.
 */
const DOCKERFILE = `FROM scratch
COPY rootfs/ /
ENV PATH=/usr/local/bin:/bin HOME=/root
WORKDIR /app
EXPOSE 8765
CMD ["/bin/sh", "-c", "exec node --conditions=hud-source /app/packages/hud/src/cli/bin.ts serve /app/envs/\${HUD_TEST_ENV:-quickstart}/env.ts --host 0.0.0.0 --port 8765"]
`;

let built: Promise<string> | undefined;

/** The engine's `_ping` answers (the reason to skip container tests when not). */
export async function engineAnswers(engine = new EngineClient()): Promise<boolean> {
  try {
    return (await engine.send({ path: "/_ping", timeout: 5 })).status === 200;
  } catch {
    return false;
  }
}

/**
 * The base image's tag, built at most once per content (tag = hash of what goes in), so reruns reuse it.
 * Test files running in parallel share the build through a lock directory.
 */
export function testImage(engine = new EngineClient()): Promise<string> {
  built ??= (async () => {
    const entries = rootfs();
    const hash = createHash("sha256").update(DOCKERFILE);
    // Path, size and modification time of every file: an edited source gives a new tag.
    for (const entry of entries) {
      const info = entry.kind === "file" ? statSync(entry.source) : undefined;
      const modified = info ? `${info.size} ${info.mtimeMs}` : "";
      hash.update(`${JSON.stringify(entry)} ${modified}\n`);
    }
    const tag = `${REPOSITORY}:${hash.digest("hex").slice(0, 12)}`;
    return withLock(async () => {
      if ((await engine.send({ path: `/images/${tag}/json` })).status === 200) return tag;
      await build(engine, tag, [{ path: "Dockerfile", kind: "text", text: DOCKERFILE }, ...entries]);
      await removeOlderTags(engine, tag);
      return tag;
    });
  })();
  return built;
}

/** An image on top of `base` setting `env` (e.g. which fixture to serve); remove it with `removeImage`. */
export async function derivedImage(
  base: string,
  tag: string,
  env: Record<string, string>,
  engine = new EngineClient(),
): Promise<string> {
  const lines = Object.entries(env).map(([name, value]) => `ENV ${name}=${JSON.stringify(value)}`);
  await build(engine, tag, [
    { path: "Dockerfile", kind: "text", text: [`FROM ${base}`, ...lines, ""].join("\n") },
  ]);
  return tag;
}

export async function removeImage(tag: string, engine = new EngineClient()): Promise<void> {
  await engine.send({ method: "DELETE", path: `/images/${tag}`, query: { force: 1 } });
}

async function build(engine: EngineClient, tag: string, context: TarEntry[]): Promise<void> {
  const reply = await engine.send({
    method: "POST",
    path: "/build",
    query: { t: tag, rm: 1, forcerm: 1, pull: 0 },
    body: tarStream(context),
    contentType: "application/x-tar",
    timeout: 300,
  });
  // The build reports failures inside its JSON-lines stream, not only in the status.
  const text = reply.body.toString("utf8");
  const failed = text.split("\n").find((line) => line.includes('"error"'));
  if (reply.status !== 200 || failed)
    throw new Error(`building ${tag} failed (${reply.status}): ${failed ?? text}`);
}

async function removeOlderTags(engine: EngineClient, keep: string): Promise<void> {
  const images = await engine.call<{ RepoTags: string[] | null }[]>({
    path: "/images/json",
    query: { filters: JSON.stringify({ reference: [REPOSITORY] }) },
  });
  for (const tag of images.flatMap((image) => image.RepoTags ?? [])) {
    if (tag.endsWith(keep) || !tag.includes(`${REPOSITORY}:`)) continue;
    await engine.send({ method: "DELETE", path: `/images/${tag}` });
  }
}

/** The image's files, as tar entries under `rootfs/`. */
function rootfs(): TarEntry[] {
  const entries: TarEntry[] = [];
  const dirs = new Set<string>();
  const dir = (path: string) => {
    for (let d = path; d !== "." && d !== "/" && !dirs.has(d); d = dirname(d)) dirs.add(d);
  };
  const file = (path: string, source: string) => {
    const info = statSync(source);
    dir(dirname(path));
    entries.push({ path, kind: "file", source, mode: info.mode & 0o777 });
  };
  file("usr/local/bin/node", realpathSync(process.execPath));
  for (const library of sharedLibraries(process.execPath)) file(library.slice(1), realpathSync(library));
  const busybox = ["/bin/busybox", "/usr/bin/busybox"].find((path) => existsSync(path));
  if (!busybox) throw new Error("busybox not found: install busybox-static (the test image's shell)");
  file("bin/busybox", busybox);
  for (const applet of execFileSync(busybox, ["--list"], { encoding: "utf8" }).split("\n")) {
    if (applet !== "" && applet !== "busybox")
      entries.push({ path: `bin/${applet}`, kind: "symlink", target: "busybox" });
  }
  // Scripts start with `#!/usr/bin/env node` (the scaffold's node_modules/.bin/hud among them), as on real images.
  dir("usr/bin");
  entries.push({ path: "usr/bin/env", kind: "symlink", target: "/bin/busybox" });
  entries.push(
    {
      path: "etc/passwd",
      kind: "text",
      text: "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534::/:/bin/false\n",
    },
    { path: "etc/group", kind: "text", text: "root:x:0:\nnogroup:x:65534:\n" },
  );
  dir("etc");
  for (const path of ["tmp", "root", "app/node_modules"]) dir(path);
  file("app/packages/hud/package.json", join(HUD, "package.json"));
  for (const source of walk(join(HUD, "src"))) {
    if (!source.endsWith(".test.ts")) file(`app/packages/hud/${relative(HUD, source)}`, source);
  }
  // The built package too (what `hud` resolves to without the hud-source condition, e.g. a scaffold's
  // `node_modules/.bin/hud`); `npm test` builds it before the tests run.
  if (existsSync(join(HUD, "dist"))) {
    for (const source of walk(join(HUD, "dist"))) file(`app/packages/hud/${relative(HUD, source)}`, source);
  }
  // Node strips types only outside node_modules; the link resolves `import "hud"` to the real sources path.
  entries.push({ path: "app/node_modules/hud", kind: "symlink", target: "../packages/hud" });
  for (const pkg of dependencyClosure(HUD)) {
    for (const source of walk(pkg, true)) file(`app/${relative(REPO, source)}`, source);
  }
  file("app/envs/quickstart/env.ts", join(REPO, "examples/quickstart/env.ts"));
  for (const name of readdirSync(FIXTURES)) file(`app/envs/${name}/env.ts`, join(FIXTURES, name, "env.ts"));
  const dirEntries: TarEntry[] = [...dirs].sort().map((path) => ({
    path: `rootfs/${path}`,
    kind: "dir",
    mode: path === "tmp" ? 0o1777 : 0o755,
  }));
  const rooted = entries.map((entry) => ({ ...entry, path: `rootfs/${entry.path}` }));
  return [...dirEntries, ...rooted];
}

/** Absolute paths of the shared libraries (and loader) `ldd` reports for a binary. */
function sharedLibraries(binary: string): string[] {
  const output = execFileSync("ldd", [binary], { encoding: "utf8" });
  return [...output.matchAll(/(?:=>\s*)?(\/\S+)\s+\(0x/g)].map((match) => match[1]!);
}

/** Installed package directories `hud` needs at run time (dependencies, optional and peer ones that are present). */
function dependencyClosure(root: string): string[] {
  const seen = new Set<string>();
  const visit = (pkgDir: string, isRoot: boolean) => {
    const manifest = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
    const names = Object.keys({
      ...manifest.dependencies,
      ...manifest.optionalDependencies,
      ...manifest.peerDependencies,
    });
    for (const name of names) {
      if (isRoot && LEFT_OUT.has(name)) continue;
      const found = locate(pkgDir, name);
      if (!found || seen.has(found)) continue;
      seen.add(found);
      visit(found, false);
    }
  };
  visit(root, true);
  return [...seen];
}

/** Node's lookup: `node_modules/<name>` in the package's directory, then in each parent. */
function locate(from: string, name: string): string | undefined {
  for (let dir = from; dir.startsWith(REPO); dir = dirname(dir)) {
    const candidate = join(dir, "node_modules", name);
    if (existsSync(join(candidate, "package.json"))) return candidate;
  }
  return undefined;
}

/** Regular files under `dir` (nested node_modules skipped when `skipModules`: they are packages of their own). */
function walk(dir: string, skipModules = false): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory())
      return skipModules && entry.name === "node_modules" ? [] : walk(path, skipModules);
    const linkedFile = entry.isSymbolicLink() && statSync(path, { throwIfNoEntry: false })?.isFile();
    return entry.isFile() || linkedFile ? [path] : [];
  });
}

/** One builder at a time across test files (vitest runs files in parallel processes). */
async function withLock<T>(work: () => Promise<T>): Promise<T> {
  const lock = join(tmpdir(), `${REPOSITORY}.lock`);
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A holder that died leaves the directory; it is stale after 10 minutes.
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now();
      if (Date.now() - since > 600_000) rmSync(lock, { recursive: true, force: true });
      await sleep(200);
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
