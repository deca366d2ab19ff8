// Task: one row of a taskset — which environment, which template, which args. Pure data; nothing runs.
import { createHash } from "node:crypto";
import { z } from "zod";
import { isObject, type JsonObject } from "../protocol/jsonrpc.ts";
import { pythonJsonDumps } from "./python-json.ts";

const TASK = Symbol.for("hud.Task");

const positive = z.number().positive();
const RuntimeConfigSchema = z
  .strictObject({
    image: z.string().min(1).optional(),
    compose: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
    resources: z
      .strictObject({
        cpu: positive.optional(),
        memory_mb: positive.optional(),
        storage_mb: positive.optional(),
        gpu: z
          .strictObject({
            type: z.union([z.string(), z.array(z.string())]).optional(),
            count: z.number().int().min(1).default(1),
          })
          .optional(),
        os: z.string().optional(),
        tpu: z.strictObject({ type: z.string(), topology: z.string().regex(/^\d+(x\d+)*$/) }).optional(),
      })
      .optional(),
    limits: z
      .strictObject({ startup_timeout_s: positive.optional(), run_timeout_s: positive.optional() })
      .optional(),
  })
  .refine((c) => !(c.image !== undefined && c.compose !== undefined), {
    message: "'image' and 'compose' are mutually exclusive",
  });

export type RuntimeConfig = z.input<typeof RuntimeConfigSchema>;

/** The JSON form of a task row (wire and file format; snake_case keys as in the Python SDK). */
export interface TaskRow {
  env: string;
  id: string;
  args: JsonObject;
  slug: string;
  validation?: JsonObject[];
  agent_config?: JsonObject;
  columns?: JsonObject;
  runtime_config?: RuntimeConfig;
  verifier?: TaskRow;
}

export interface TaskInit {
  env: string;
  id: string;
  args?: JsonObject;
  slug?: string | null;
  validation?: JsonObject[] | null;
  agent_config?: JsonObject | null;
  columns?: JsonObject | null;
  runtime_config?: RuntimeConfig | null;
  verifier?: Task | TaskInit | null;
}

/** The environment object a row was created from (kept opaque here: tasks are data). */
export interface LiveEnvironmentLink {
  readonly name: string;
}

/** The default slug, exactly as the Python SDK computes it. */
export function defaultSlug(id: string, args: JsonObject): string {
  if (Object.keys(args).length === 0) return id;
  const digest = createHash("sha1").update(pythonJsonDumps(args), "utf8").digest("hex");
  return `${id}-${digest.slice(0, 8)}`;
}

function fail(message: string): never {
  throw new TypeError(`invalid task row: ${message}`);
}

function nonEmptyString(value: unknown, field: string): string {
  if (typeof value !== "string" || value === "") {
    fail(`'${field}' must be a non-empty string (got ${describe(value)})`);
  }
  return value;
}

function optionalObject(value: unknown, field: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) fail(`'${field}' must be an object or null (got ${describe(value)})`);
  return frozenJson(value, field);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return value === "" ? "an empty string" : `a string`;
  return typeof value === "object" ? "an object" : `${typeof value} ${String(value)}`;
}

/** A deep-frozen copy of JSON data, so a row cannot change under its slug. Non-JSON values are an error. */
function frozenJson<T>(value: T, field: string): T {
  let copy: T;
  try {
    copy = JSON.parse(JSON.stringify(value)) as T;
  } catch (error) {
    fail(`'${field}' must be JSON data (${(error as Error).message.split("\n")[0]})`);
  }
  return deepFreeze(copy);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

function parseRuntimeConfig(value: unknown): RuntimeConfig | undefined {
  if (value === undefined || value === null) return undefined;
  const result = RuntimeConfigSchema.safeParse(value);
  // Keep the input, not the parsed value: defaults stay unset, like the Python SDK's exclude_unset dump.
  if (result.success) return frozenJson(value as RuntimeConfig, "runtime_config");
  const issue = result.error.issues[0]!;
  const path = ["runtime_config", ...issue.path.map(String)].join(".");
  fail(`'${path}': ${issue.message}`);
}

/** An immutable task row. Create with `new Task({...})`, `Task.fromJSON(row)`, or by calling a template. */
export class Task {
  readonly [TASK] = true;
  readonly env: string;
  readonly id: string;
  readonly args: Readonly<JsonObject>;
  readonly slug: string;
  readonly validation: JsonObject[] | undefined;
  readonly agent_config: JsonObject | undefined;
  readonly columns: JsonObject | undefined;
  readonly runtime_config: RuntimeConfig | undefined;
  readonly verifier: Task | undefined;
  /** The live environment whose template made this row, if any (used for default placement). */
  declare readonly environment: LiveEnvironmentLink | undefined;

  constructor(init: TaskInit, environment?: LiveEnvironmentLink) {
    if (!isObject(init)) fail(`a task must be an object (got ${describe(init)})`);
    this.env = nonEmptyString(init.env, "env");
    this.id = nonEmptyString(init.id, "id");
    const args = init.args ?? {};
    if (!isObject(args)) fail(`'args' must be an object (got ${describe(args)})`);
    this.args = frozenJson(args, "args");
    if (init.slug !== undefined && (typeof init.slug !== "string" || init.slug === "")) {
      fail(`'slug' must be a non-empty string when given (got ${describe(init.slug)})`);
    }
    this.slug = init.slug ?? defaultSlug(this.id, this.args);
    if (init.validation !== undefined && init.validation !== null) {
      if (!Array.isArray(init.validation) || !init.validation.every(isObject)) {
        fail("'validation' must be an array of objects or null");
      }
      this.validation = frozenJson(init.validation, "validation");
    } else this.validation = undefined;
    this.agent_config = optionalObject(init.agent_config, "agent_config");
    this.columns = optionalObject(init.columns, "columns");
    this.runtime_config = parseRuntimeConfig(init.runtime_config);
    if (init.verifier !== undefined && init.verifier !== null) {
      const verifier = Task.is(init.verifier) ? init.verifier : Task.fromJSON(init.verifier, "verifier");
      if (verifier.verifier) fail("nested verifier tasks are not supported");
      this.verifier = verifier;
    } else this.verifier = undefined;
    Object.defineProperty(this, "environment", { value: environment, enumerable: false });
    Object.freeze(this);
  }

  /** Brand check that works across copies of the package. */
  static is(value: unknown): value is Task {
    return typeof value === "object" && value !== null && (value as { [TASK]?: true })[TASK] === true;
  }

  /** Validate a row object (e.g. from JSON); errors name the bad field. */
  static fromJSON(row: unknown, where?: string): Task {
    if (!isObject(row)) fail(`${where ? `'${where}' ` : ""}must be an object (got ${describe(row)})`);
    try {
      return new Task(row as unknown as TaskInit);
    } catch (error) {
      if (where && error instanceof TypeError) {
        throw new TypeError(error.message.replace("invalid task row: ", `invalid task row: in '${where}': `));
      }
      throw error;
    }
  }

  /** A copy with fields replaced (the slug is recomputed unless given or previously explicit). */
  with(changes: Partial<TaskInit>): Task {
    const base = this.toJSON() as TaskInit;
    const keyChanged = changes.args !== undefined || changes.id !== undefined;
    if (keyChanged && changes.slug === undefined && this.slug === defaultSlug(this.id, this.args)) {
      base.slug = undefined;
    }
    return new Task({ ...base, ...changes }, this.environment);
  }

  /** Compact row: always `{env, id, args, slug}`, plus the optional keys that are set. */
  toJSON(): TaskRow {
    const row: TaskRow = { env: this.env, id: this.id, args: this.args, slug: this.slug };
    if (this.validation) row.validation = this.validation;
    if (this.agent_config) row.agent_config = this.agent_config;
    if (this.columns) row.columns = this.columns;
    if (this.runtime_config) row.runtime_config = this.runtime_config;
    if (this.verifier) row.verifier = this.verifier.toJSON();
    // A mutable copy: the task's own data is frozen.
    return structuredClone(row);
  }
}
