// Reading task rows from a file or directory: .ts/.mts/.js/.mjs modules (scanned exports), .json, .jsonl.
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, extname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { pythonJsonDumps } from "../environment/python-json.ts";
import { Task } from "../environment/task.ts";
import { errorMessage, HudError } from "../protocol/errors.ts";

/** Brand of a Taskset, shared with taskset.ts so module scanning works across copies of the package. */
export const TASKSET = Symbol.for("hud.Taskset");

const MODULE_EXTENSIONS = new Set([".ts", ".mts", ".js", ".mjs"]);
/** Files in a scanned directory that are never task sources. */
const SKIPPED = /^\.|\.(test|spec|config)\.|\.d\.m?ts$/;

export interface TaskSource {
  /** The file stem or directory name. */
  name: string;
  tasks: Task[];
}

/** A row and where it came from (for error messages). */
interface Located {
  task: Task;
  where: string;
}

function isTaskset(value: unknown): value is Iterable<unknown> {
  return typeof value === "object" && value !== null && (value as { [TASKSET]?: true })[TASKSET] === true;
}

function firstLine(error: unknown): string {
  return errorMessage(error).split("\n")[0]!;
}

/** Read every row of `path`; errors are one HudError line naming the file (and line) and the problem. */
export async function readTaskSource(path: string): Promise<TaskSource> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new HudError(`no such file or directory: ${path}`);
  if (info.isDirectory()) return { name: basename(resolve(path)), tasks: await readDirectory(path) };
  const ext = extname(path).toLowerCase();
  const name = basename(path, extname(path));
  if (ext === ".json") return { name, tasks: unique(parseJson(await readText(path), path), false) };
  if (ext === ".jsonl") return { name, tasks: unique(parseJsonl(await readText(path), path), false) };
  if (MODULE_EXTENSIONS.has(ext)) {
    return { name, tasks: nonEmpty(unique(await scanModule(path), true), path) };
  }
  throw new HudError(
    `unsupported taskset source: ${path} (use a .ts/.js module, .json, .jsonl, or a directory)`,
  );
}

async function readText(path: string): Promise<string> {
  const text = await readFile(path, "utf8").catch((error: unknown) => {
    throw new HudError(`cannot read ${path}: ${firstLine(error)}`, { cause: error });
  });
  return text.startsWith("\uFEFF") ? text.slice(1) : text;
}

function rowAt(value: unknown, where: string): Located {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new HudError(`${where}: each task entry must be an object`);
  }
  try {
    return { task: Task.fromJSON(value), where };
  } catch (error) {
    throw new HudError(`${where}: ${firstLine(error)}`, { cause: error });
  }
}

/** `.json`: one row object, or an array of rows. */
export function parseJson(text: string, file: string): Located[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new HudError(`${file}: invalid JSON: ${firstLine(error)}`);
  }
  if (Array.isArray(data)) return data.map((row, i) => rowAt(row, `${file}[${i}]`));
  if (typeof data === "object" && data !== null) return [rowAt(data, file)];
  throw new HudError(`${file}: expected a task object or an array of task objects`);
}

/** `.jsonl`: one row object per non-blank line. */
export function parseJsonl(text: string, file: string): Located[] {
  const rows: Located[] = [];
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    const where = `${file}:${i + 1}`;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch (error) {
      throw new HudError(`${where}: invalid JSON: ${firstLine(error)}`);
    }
    rows.push(rowAt(data, where));
  });
  return rows;
}

/**
 * The Tasks a module exports: Task values, Tasksets (their rows), and arrays (their Task items), by export
 * name in sorted order — what Node's module namespaces give, whatever loader imported the file.
 */
export function tasksInModule(module: Record<string, unknown>, file: string): Located[] {
  const found: Located[] = [];
  for (const key of Object.keys(module).sort()) {
    const value = module[key];
    const where = `${file} (export ${key})`;
    const items = Task.is(value) ? [value] : isTaskset(value) || Array.isArray(value) ? [...value] : [];
    for (const item of items) if (Task.is(item)) found.push({ task: item, where });
  }
  return found;
}

async function scanModule(file: string): Promise<Located[]> {
  let module: Record<string, unknown>;
  try {
    module = await import(pathToFileURL(resolve(file)).href);
  } catch (error) {
    throw new HudError(`could not load ${file}: ${firstLine(error)}`, { cause: error });
  }
  return tasksInModule(module, file);
}

/** Whether a directory entry is a task module (tests, specs, configs, declarations and dotfiles are not). */
export function isTaskModule(name: string): boolean {
  return MODULE_EXTENSIONS.has(extname(name).toLowerCase()) && !SKIPPED.test(name);
}

async function readDirectory(dir: string): Promise<Task[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    if (!isTaskModule(entry.name) || entry.isDirectory()) continue;
    const path = join(dir, entry.name);
    if (entry.isFile() || (await stat(path).catch(() => undefined))?.isFile()) files.push(path);
  }
  files.sort();
  const found: Located[] = [];
  for (const file of files) found.push(...(await scanModule(file)));
  if (found.length === 0) {
    const scanned =
      files.length > 0 ? `scanned ${files.map((f) => basename(f)).join(", ")}` : "no .ts/.js modules";
    throw new HudError(`no tasks in ${dir} (${scanned}); export Task rows, a Taskset, or an array of Tasks`);
  }
  return unique(found, true);
}

function nonEmpty(tasks: Task[], file: string): Task[] {
  if (tasks.length === 0) {
    throw new HudError(`${file} exports no tasks; export Task rows, a Taskset, or an array of Tasks`);
  }
  return tasks;
}

/**
 * One task per slug. With `sameRowsOnce`, a row seen again unchanged (exported twice, or imported by two
 * scanned files) counts once; two different rows under one slug are always an error.
 */
export function unique(rows: Located[], sameRowsOnce: boolean): Task[] {
  const bySlug = new Map<string, Located & { key: string }>();
  for (const row of rows) {
    const key = pythonJsonDumps(row.task.toJSON());
    const seen = bySlug.get(row.task.slug);
    if (!seen) bySlug.set(row.task.slug, { ...row, key });
    else if (!sameRowsOnce || seen.key !== key) {
      const hint = sameRowsOnce ? "; give one an explicit slug" : "";
      throw new HudError(`duplicate task slug '${row.task.slug}' (${seen.where} and ${row.where})${hint}`);
    }
  }
  return [...bySlug.values()].map((row) => row.task);
}
