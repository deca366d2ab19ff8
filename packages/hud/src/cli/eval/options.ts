// Pure pieces of `hud eval`'s argument handling: -c values, task selection, numbers, the default source.
import type { Task } from "../../environment/task.ts";
import { HudError } from "../../protocol/errors.ts";
import type { JsonObject } from "../../protocol/jsonrpc.ts";
import { UsageError } from "../io.ts";

/** `true`/`false`, integers and floats become numbers/booleans; anything else stays a string. */
export function parseConfigValue(text: string): string | number | boolean {
  if (text === "true") return true;
  if (text === "false") return false;
  if (/^[+-]?\d+$/.test(text)) {
    const n = Number(text);
    if (Number.isSafeInteger(n)) return n;
  }
  if (/^[+-]?(\d+\.\d*|\.\d+|\d+)([eE][+-]?\d+)?$/.test(text) || /^[+-]?(inf|nan)$/i.test(text)) {
    const n = Number(text);
    if (Number.isFinite(n)) return n;
  }
  return text;
}

/** `-c key=value` pairs into an object (a later key wins). */
export function parseConfigPairs(pairs: readonly string[]): JsonObject {
  const config: JsonObject = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new UsageError(`-c expects key=value (got '${pair}')`);
    config[pair.slice(0, at).trim()] = parseConfigValue(pair.slice(at + 1));
  }
  return config;
}

/** A whole number ≥ `min` from a flag, or the default. */
export function integerFlag(text: string | undefined, flag: string, fallback: number, min = 1): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < min) {
    throw new UsageError(`${flag} must be a whole number ≥ ${min} (got '${text}')`);
  }
  return n;
}

export function numberFlag(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n))
    throw new UsageError(`${flag} must be a number (got '${text}')`);
  return n;
}

export interface Selection {
  tasks: Task[];
  /** Set when only the first of several rows was kept (no --all, no --task-ids). */
  onlyFirstOf?: number;
}

/**
 * `--task-ids a,b,0` keeps rows matching a slug, a template id (every row of it) or a 0-based index, in the
 * source's order; otherwise `--all` keeps every row, and neither keeps the first.
 */
export function selectTasks(rows: readonly Task[], options: { all: boolean; taskIds?: string }): Selection {
  if (options.taskIds !== undefined) {
    const refs = options.taskIds
      .split(",")
      .map((r) => r.trim())
      .filter((r) => r !== "");
    if (refs.length === 0) throw new UsageError("--task-ids needs at least one slug, template id or index");
    const keep = new Set<Task>();
    for (const ref of refs) {
      const bySlug = rows.filter((t) => t.slug === ref);
      const byId = bySlug.length > 0 ? bySlug : rows.filter((t) => t.id === ref);
      const byIndex = byId.length > 0 || !/^\d+$/.test(ref) ? byId : rows.slice(Number(ref), Number(ref) + 1);
      if (byIndex.length === 0) {
        throw new UsageError(
          `--task-ids: no task matching '${ref}' (${rows.length} tasks: use a slug, a template id or an index 0-${rows.length - 1})`,
        );
      }
      for (const task of byIndex) keep.add(task);
    }
    return { tasks: rows.filter((t) => keep.has(t)) };
  }
  if (options.all || rows.length <= 1) return { tasks: [...rows] };
  return { tasks: rows.slice(0, 1), onlyFirstOf: rows.length };
}

/** The rows a resumed job covers, by the slugs it stored; a row gone from the source is an error. */
export function resumedTasks(rows: readonly Task[], slugs: readonly string[], source: string): Task[] {
  const bySlug = new Map(rows.map((t) => [t.slug, t]));
  const missing = slugs.find((slug) => !bySlug.has(slug));
  if (missing !== undefined)
    throw new HudError(`task '${missing}' of the resumed job is no longer in ${source}`);
  return slugs.map((slug) => bySlug.get(slug)!);
}

const NOT_TASKSETS = /^(package(-lock)?|tsconfig.*|jsconfig|biome|\.?eslintrc|deno|composer)\.json$/i;

/** Task sources in a directory listing: tasks.ts/js modules and .json/.jsonl files (config files aside). */
export function taskSourceCandidates(names: readonly string[]): string[] {
  return names
    .filter(
      (name) =>
        /^tasks\.(m?[jt]s)$/.test(name) ||
        /\.jsonl$/.test(name) ||
        (/\.json$/.test(name) && !NOT_TASKSETS.test(name)),
    )
    .sort();
}
