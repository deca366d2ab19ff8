// Which file to serve for a task source: the environment that declares the rows, found without the user naming it.
import { readFile, stat } from "node:fs/promises";
import { dirname } from "node:path";

const DECLARES_ENVIRONMENT = /\bnew\s+Environment\s*\(/;

/**
 * A directory is served as is (its env.ts/env.js is found when loading). A file that constructs an
 * Environment is served itself; any other file (tasks.ts, tasks.jsonl, …) by its directory.
 */
export async function environmentSourceFor(taskSource: string): Promise<string> {
  const info = await stat(taskSource);
  if (info.isDirectory()) return taskSource;
  if (/\.(m?[jt]s)$/.test(taskSource)) {
    const text = await readFile(taskSource, "utf8");
    if (DECLARES_ENVIRONMENT.test(text)) return taskSource;
  }
  return dirname(taskSource);
}
