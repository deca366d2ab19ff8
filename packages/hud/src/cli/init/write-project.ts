// Put a planned project on disk: whole or not at all into a new (or empty) directory — built beside it, then
// renamed into place — or, with --force into a non-empty one, file by file (each atomically), keeping the rest.
import { randomBytes } from "node:crypto";
import { lstat, mkdir, readdir, rename, rm, symlink, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { writeFileAtomically } from "../../eval/atomic-write.ts";
import { errorMessage, HudError } from "../../protocol/errors.ts";
import type { PackageLink } from "./hud-package.ts";
import type { ScaffoldFile } from "./project-template.ts";

export type TargetState = "absent" | "empty" | "not-empty";

/** Whether `dir` exists and holds anything; a file in its place is an error. */
export async function targetState(dir: string): Promise<TargetState> {
  const info = await lstat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw new HudError(`cannot read ${dir}: ${errorMessage(error)}`);
  });
  if (info === undefined) return "absent";
  if (info.isSymbolicLink()) throw new HudError(`${dir} is a symbolic link: give the real path with -d`);
  if (!info.isDirectory()) throw new HudError(`${dir} exists and is not a directory`);
  return (await readdir(dir)).length === 0 ? "empty" : "not-empty";
}

export interface WriteResult {
  /** Scaffold files written (relative paths). */
  written: string[];
  /** Links left alone because something was already there (e.g. an installed node_modules/hud). */
  keptLinks: string[];
}

/** Write `files` and `links` into `dir`, whose state was checked to be `state`. */
export async function writeProject(
  dir: string,
  files: readonly ScaffoldFile[],
  links: readonly PackageLink[],
  state: TargetState,
): Promise<WriteResult> {
  if (state === "not-empty") return writeInto(dir, files, links);
  await mkdir(dirname(dir), { recursive: true }).catch((error: unknown) => {
    throw new HudError(`cannot create ${dirname(dir)}: ${errorMessage(error)}`);
  });
  // mkdir, not mkdtemp: the project gets the usual permissions (the umask's), not 0700.
  const staging = join(dirname(dir), `.${basename(dir)}.hud-init-${randomBytes(6).toString("hex")}`);
  await mkdir(staging).catch((error: unknown) => {
    throw new HudError(`cannot write in ${dirname(dir)}: ${errorMessage(error)}`);
  });
  try {
    for (const file of files) {
      await mkdir(dirname(join(staging, file.path)), { recursive: true });
      await writeFile(join(staging, file.path), file.text, { flag: "wx" });
    }
    for (const link of links) {
      await mkdir(dirname(join(staging, link.path)), { recursive: true });
      await symlink(link.target, join(staging, link.path));
    }
    // rename(2) replaces an empty directory, and fails if something was written into it meanwhile.
    await rename(staging, dir);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw new HudError(`cannot create ${dir}: ${errorMessage(error).split("\n")[0]}`, { cause: error });
  }
  return { written: files.map((f) => f.path), keptLinks: [] };
}

async function writeInto(
  dir: string,
  files: readonly ScaffoldFile[],
  links: readonly PackageLink[],
): Promise<WriteResult> {
  for (const file of files) await writeFileAtomically(join(dir, file.path), file.text);
  const keptLinks: string[] = [];
  for (const link of links) {
    const path = join(dir, link.path);
    if (await lstat(path).catch(() => undefined)) {
      keptLinks.push(link.path);
      continue;
    }
    try {
      await mkdir(dirname(path), { recursive: true });
      await symlink(link.target, path);
    } catch (error) {
      throw new HudError(`cannot link ${path}: ${errorMessage(error).split("\n")[0]}`, { cause: error });
    }
  }
  return { written: files.map((f) => f.path), keptLinks };
}
