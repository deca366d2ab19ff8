// The hud package running this CLI: where it lives, its version and dependency ranges, and where its
// dependencies are installed — so a new project can link them instead of downloading anything.
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { HudError } from "../../protocol/errors.ts";

export interface HudPackage {
  /** The package's directory (real path): the one holding its package.json, src/ and dist/. */
  root: string;
  version: string;
  /** The `hud` binary relative to root (package.json `bin.hud`). */
  bin: string;
  /** Version ranges of hud's own dependencies, by name. */
  dependencies: Record<string, string>;
}

interface PackageJson {
  name?: string;
  version?: string;
  bin?: string | Record<string, string>;
  dependencies?: Record<string, string>;
}

/** The package holding this file: src/cli/init/ and dist/cli/init/ are both three levels below its root. */
export function runningHud(): HudPackage {
  const root = realpathSync(fileURLToPath(new URL("../../..", import.meta.url)));
  const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as PackageJson;
  if (pkg.name !== "hud" || typeof pkg.version !== "string")
    throw new HudError(`cannot find the hud package's package.json above ${root}`);
  const bin = typeof pkg.bin === "string" ? pkg.bin : (pkg.bin?.hud ?? "dist/cli/bin.js");
  return { root, version: pkg.version, bin: bin.replace(/^\.\//, ""), dependencies: pkg.dependencies ?? {} };
}

/**
 * Where `name` is installed as seen from `root`, by Node's lookup (root/node_modules, then each parent's
 * node_modules): the real path, or undefined when it is not installed.
 */
export function installedPackage(root: string, name: string): string | undefined {
  for (let dir = root; ; dir = dirname(dir)) {
    if (basename(dir) !== "node_modules") {
      const candidate = join(dir, "node_modules", name);
      if (existsSync(join(candidate, "package.json"))) return realpathSync(candidate);
    }
    if (dirname(dir) === dir) return undefined;
  }
}

export interface PackageLink {
  /** Relative to the project directory. */
  path: string;
  /** What the link points at (absolute, or relative to the link's directory). */
  target: string;
}

/**
 * The node_modules links that make a new project run with this hud and nothing downloaded: hud itself, its
 * binary, and each of `imports` (hud's own dependencies) from where hud finds them. `missing` names those that
 * are not installed.
 */
export function projectLinks(
  hud: HudPackage,
  imports: readonly string[],
): { links: PackageLink[]; missing: string[] } {
  const links: PackageLink[] = [
    { path: "node_modules/hud", target: hud.root },
    { path: "node_modules/.bin/hud", target: `../hud/${hud.bin}` },
  ];
  const missing: string[] = [];
  for (const name of imports) {
    const dir = installedPackage(hud.root, name);
    if (dir === undefined) missing.push(name);
    else links.push({ path: `node_modules/${name}`, target: dir });
  }
  return { links, missing };
}
