// The build context `hud build` sends to the engine: the project's files as tar entries, minus what
// `.dockerignore` leaves out (gitignore-style patterns, as Docker reads them closely enough for environments).
import { lstat, readdir, readFile, readlink } from "node:fs/promises";
import { join, posix } from "node:path";
import {
  type IgnoreLayer,
  isIgnored,
  parseIgnoreFile,
} from "../../environment/workspace/file-tracking-ignore.ts";
import { HudError } from "../../protocol/errors.ts";
import type { TarEntry } from "./tar-stream.ts";

/** Files in a context at most; beyond it the context is almost certainly a mistake (a home directory, a disk). */
const MAX_ENTRIES = 200_000;

async function ignoreLayers(root: string): Promise<IgnoreLayer[]> {
  const text = await readFile(join(root, ".dockerignore"), "utf8").catch(() => "");
  // Docker matches patterns from the context root; a leading "/" means the same.
  return [{ base: "", rules: parseIgnoreFile(text.replace(/^\//gm, "")) }];
}

/** Every file, directory and symlink under `root` that `.dockerignore` keeps, parents first. */
export async function buildContext(root: string): Promise<TarEntry[]> {
  const layers = await ignoreLayers(root);
  const entries: TarEntry[] = [];
  const walk = async (rel: string): Promise<void> => {
    const names = (await readdir(join(root, rel))).sort();
    for (const name of names) {
      const path = rel === "" ? name : posix.join(rel, name);
      const abs = join(root, path);
      const info = await lstat(abs);
      if (isIgnored(layers, path, info.isDirectory())) continue;
      if (entries.length >= MAX_ENTRIES) {
        throw new HudError(
          `the build context ${root} has over ${MAX_ENTRIES} files: leave some out with .dockerignore`,
        );
      }
      if (info.isSymbolicLink()) entries.push({ path, kind: "symlink", target: await readlink(abs) });
      else if (info.isDirectory()) {
        entries.push({ path, kind: "dir", mode: info.mode & 0o7777 });
        await walk(path);
      } else if (info.isFile()) entries.push({ path, kind: "file", source: abs, mode: info.mode & 0o7777 });
    }
  };
  await walk("");
  return entries;
}
