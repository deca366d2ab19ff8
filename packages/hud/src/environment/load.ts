// loadEnvironment: import an environment source file (or a directory holding one) with zero configuration.
import { stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { HudError } from "../protocol/errors.ts";
import { Environment } from "./environment.ts";

/** Files looked for, in order, when a directory is given. */
export const ENVIRONMENT_FILES = ["env.ts", "env.mts", "env.js", "env.mjs"];

export interface LoadOptions {
  /** Pick among several environments: an environment name or an export name. */
  name?: string;
  /** Import a fresh copy of the file (not the module cache's). */
  fresh?: boolean;
}

let freshCounter = 0;

/** Resolve a path or directory to the environment source file, or throw a one-line HudError. */
export async function resolveEnvironmentFile(path: string): Promise<string> {
  const target = resolve(path);
  const info = await stat(target).catch(() => undefined);
  if (!info) throw new HudError(`no such file or directory: ${path}`);
  if (info.isFile()) return target;
  for (const candidate of ENVIRONMENT_FILES) {
    const file = join(target, candidate);
    if ((await stat(file).catch(() => undefined))?.isFile()) return file;
  }
  throw new HudError(
    `no environment file in ${path} (looked for ${ENVIRONMENT_FILES.join(", ")}); pass the file path`,
  );
}

/** Split `file.ts:exportName` (a Windows drive letter is not a separator). */
export function splitSpec(spec: string): { path: string; exportName?: string } {
  const at = spec.lastIndexOf(":");
  if (at <= 1 || spec.slice(at + 1).includes("/") || spec.slice(at + 1).includes("\\")) return { path: spec };
  return { path: spec.slice(0, at), exportName: spec.slice(at + 1) };
}

/** Import `path` (file, directory, or `file:export`) and return the Environment it declares. */
export async function loadEnvironment(path: string, options: LoadOptions = {}): Promise<Environment> {
  const spec = splitSpec(path);
  const file = await resolveEnvironmentFile(spec.path);
  const url = pathToFileURL(file).href + (options.fresh ? `?hud-fresh=${++freshCounter}` : "");
  let module: Record<string, unknown>;
  try {
    module = await import(url);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new HudError(`could not load ${file}: ${message.split("\n")[0]}`, { cause: error });
  }
  const wanted = spec.exportName ?? options.name;
  const found: [string, Environment][] = [];
  for (const [key, value] of Object.entries(module)) {
    const env =
      typeof value === "function" && key === spec.exportName ? await (value as () => unknown)() : value;
    if (Environment.is(env)) found.push([key, env]);
  }
  const unique = [...new Map(found.map(([key, env]) => [env, key])).entries()].map(
    ([env, key]) => [key, env] as const,
  );
  if (unique.length === 0) {
    throw new HudError(
      `${file} exports no Environment (export one: export const env = new Environment({ name }))`,
    );
  }
  if (wanted !== undefined) {
    const match = unique.find(([key, env]) => key === wanted || env.name === wanted);
    if (!match) {
      throw new HudError(
        `${file} has no environment named '${wanted}' (found: ${unique.map(([k, e]) => `${k} (${e.name})`).join(", ")})`,
      );
    }
    return match[1];
  }
  if (unique.length === 1) return unique[0]![1];
  const named = unique.find(([key]) => key === "env" || key === "default");
  if (named) return named[1];
  throw new HudError(
    `${file} exports several environments (${unique.map(([k, e]) => `${k} (${e.name})`).join(", ")}); pick one with path:export or --env <name>`,
  );
}
