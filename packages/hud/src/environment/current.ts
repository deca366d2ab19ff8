// The environment whose task code is running, so a grader called from a template finds its workspaces unasked.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Environment } from "./environment.ts";

/**
 * One store per process, shared through a global symbol: an env file may load `hud/graders` from another copy of
 * the package than the server's, and its graders must still see the environment the server set.
 */
const KEY = Symbol.for("hud.currentEnvironment");
const slot = globalThis as { [KEY]?: AsyncLocalStorage<Environment> };
slot[KEY] ??= new AsyncLocalStorage<Environment>();
const storage = slot[KEY];

/** The environment running the current template step or solution, if any. */
export function currentEnvironment(): Environment | undefined {
  return storage.getStore();
}

/** Run `fn` (and everything it awaits or starts) as task code of `env`. */
export function runInEnvironment<T>(env: Environment, fn: () => T): T {
  return storage.run(env, fn);
}
