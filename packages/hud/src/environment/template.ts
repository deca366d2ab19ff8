// Template: a task recipe — an async generator that yields a prompt, receives the answer, and yields a grade.
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { ErrorCode, RpcError } from "../protocol/errors.ts";
import { isObject, type JsonObject } from "../protocol/jsonrpc.ts";
import type { ManifestEntry, PromptFrame } from "../protocol/methods.ts";
import {
  describeIssues,
  type Schema,
  type SchemaInput,
  type SchemaIssue,
  toSchema,
  type ValidationOutcome,
} from "./schema.ts";
import { Task, type TaskInit } from "./task.ts";

/** What a template body is: one yield for the prompt, one for the grade. Sync generators work too. */
export type TemplateGenerator =
  | AsyncGenerator<unknown, unknown, unknown>
  | Generator<unknown, unknown, unknown>;

/** Passed to a template's reference solution. */
export interface SolutionContext {
  /** The environment serving the task (its workspace, capabilities, state). */
  readonly env: { readonly name: string };
  /** The prompt frame the task produced at start. */
  readonly prompt: PromptFrame;
  /** Aborted when the task is cancelled. */
  readonly signal: AbortSignal;
}

export type Solution<A> = (args: A, ctx: SolutionContext) => unknown;

/** Passed to a template body as its second argument. */
export interface TaskContext {
  /** The environment serving the task. */
  readonly env: { readonly name: string };
  /**
   * Aborted when the task is cancelled or its runner is gone mid-grade (the connection closed while
   * grading): long grading work (test suites, judges) should stop when it fires.
   */
  readonly signal: AbortSignal;
}

/** A template body: a generator function of the args (and a context it may ignore). */
export type TemplateBody<A> = (args: A, ctx: TaskContext) => TemplateGenerator;

export interface TemplateOptions<A> {
  /** Template id; default: the generator function's name. */
  id?: string;
  description?: string;
  /** Arguments schema: a Standard Schema (zod 4, valibot, arktype) or a plain JSON Schema object. */
  args?: SchemaInput;
  /** Answer schema: when set, grading receives an `Answer<T>` instead of the raw answer. */
  returns?: SchemaInput;
  /** JSON Schema of extra inputs, published in the manifest as-is. */
  input?: JsonObject;
  /** A reference solution (served by `tasks.solve`, used by the oracle agent). */
  solution?: Solution<A>;
}

type ArgsOf<O> = O extends { args: infer S }
  ? S extends StandardSchemaV1
    ? StandardSchemaV1.InferOutput<S>
    : JsonObject
  : JsonObject;
type InputArgsOf<O> = O extends { args: infer S }
  ? S extends StandardSchemaV1
    ? StandardSchemaV1.InferInput<S>
    : JsonObject
  : JsonObject;

export type { ArgsOf, InputArgsOf };

const OPEN_ARGS: JsonObject = { type: "object", properties: {}, additionalProperties: true };

/** Normalize an args JSON Schema to the manifest form: an object schema with properties and required. */
function manifestArgs(schema: JsonObject | undefined): JsonObject {
  // No schema, or one the library could not publish as JSON Schema: any object goes.
  if (!schema || Object.keys(schema).length === 0) return { ...OPEN_ARGS };
  const out: JsonObject = { ...schema };
  if (out.type === undefined && out.properties !== undefined) out.type = "object";
  if (out.type === "object") {
    out.properties ??= {};
    out.required ??= [];
    if (out.additionalProperties === undefined && out.patternProperties === undefined) {
      out.additionalProperties = false;
    }
  }
  return out;
}

/**
 * Missing required keys and unknown keys, from the published args schema — the same check whatever library
 * the schema came from (zod objects strip unknown keys silently; a template call must not).
 */
function keyIssues(args: JsonObject, raw: JsonObject): { missing: string[]; issues: SchemaIssue[] } {
  const required = Array.isArray(args.required) ? args.required.filter((k) => typeof k === "string") : [];
  const missing = required.filter((key) => !Object.hasOwn(raw, key));
  const known = isObject(args.properties) ? args.properties : {};
  const closed = args.additionalProperties === false && args.patternProperties === undefined;
  const unknown = closed ? Object.keys(raw).filter((key) => !Object.hasOwn(known, key)) : [];
  const issues = [
    ...missing.map((key) => ({ message: `missing required key '${key}'`, path: [] })),
    ...unknown.map((key) => ({ message: `unknown key '${key}'`, path: [] })),
  ];
  return { missing, issues };
}

/** Key issues first, then the schema's own, minus what repeats them (e.g. "expected string, received undefined"). */
function mergeIssues(
  keys: { missing: string[]; issues: SchemaIssue[] },
  schema: SchemaIssue[],
): SchemaIssue[] {
  const seen = new Set(keys.issues.map((issue) => issue.message));
  const extra = schema.filter((issue) => {
    const top = issue.path[0];
    if (issue.path.length === 1 && typeof top === "string" && keys.missing.includes(top)) return false;
    return issue.path.length > 0 || !seen.has(issue.message);
  });
  return [...keys.issues, ...extra];
}

/** A registered template. Call its handle to make Task rows. */
export class Template<A = JsonObject> {
  readonly id: string;
  readonly description: string;
  readonly envName: string;
  readonly body: TemplateBody<A>;
  readonly argsSchema: Schema | undefined;
  readonly returnsSchema: Schema | undefined;
  readonly solution: Solution<A> | undefined;
  private readonly entry: ManifestEntry;

  constructor(envName: string, options: TemplateOptions<A>, body: TemplateBody<A>) {
    if (typeof body !== "function") throw new TypeError("a template body must be a generator function");
    const id = options.id ?? body.name;
    if (typeof id !== "string" || id === "") {
      throw new TypeError("a template needs an id: pass { id } or use a named generator function");
    }
    this.id = id;
    this.envName = envName;
    this.description = options.description ?? "";
    this.body = body;
    this.argsSchema = options.args === undefined ? undefined : toSchema(options.args);
    this.returnsSchema = options.returns === undefined ? undefined : toSchema(options.returns);
    this.solution = options.solution;
    this.entry = { id, description: this.description, args: manifestArgs(this.argsSchema?.jsonSchema) };
    if (options.input) this.entry.input = options.input;
    if (this.returnsSchema) this.entry.returns = this.returnsSchema.jsonSchema;
  }

  /** The `tasks.list` entry. */
  manifest(): ManifestEntry {
    return structuredClone(this.entry);
  }

  /**
   * Validate wire args. Values sent as JSON text (`"3"` for a number) are decoded when that is what makes
   * them fit. Throws `-32602` naming the task and the bad args; nothing of the body has run.
   */
  async parseArgs(raw: JsonObject): Promise<A> {
    const keys = keyIssues(this.entry.args, raw);
    const outcome = await this.validate(raw);
    if (outcome.ok && keys.issues.length === 0) return outcome.value as A;
    throw this.invalid(mergeIssues(keys, outcome.ok ? [] : outcome.issues));
  }

  private async validate(raw: JsonObject): Promise<ValidationOutcome> {
    if (!this.argsSchema) return { ok: true, value: raw };
    const first = await this.argsSchema.validate(raw);
    if (first.ok) return first;
    const coerced = await this.coerceJsonText(raw, first.issues);
    return coerced ? { ok: true, value: coerced } : first;
  }

  private async coerceJsonText(raw: JsonObject, issues: SchemaIssue[]): Promise<A | undefined> {
    const badKeys = new Set(issues.map((i) => i.path[0]).filter((k): k is string => typeof k === "string"));
    const candidate: JsonObject = { ...raw };
    let changed = false;
    for (const key of badKeys) {
      const value = raw[key];
      if (typeof value !== "string") continue;
      try {
        candidate[key] = JSON.parse(value);
        changed = true;
      } catch {
        // not JSON text: leave as is
      }
    }
    if (!changed) return undefined;
    const second = await this.argsSchema!.validate(candidate);
    return second.ok ? (second.value as A) : undefined;
  }

  private invalid(issues: SchemaIssue[]): RpcError {
    return new RpcError(
      ErrorCode.InvalidParams,
      `invalid args for task '${this.id}': ${describeIssues(issues)}`,
    );
  }

  /** A task row for these args (validated lazily, when the task starts). */
  row(
    args: JsonObject = {},
    extra: Omit<Partial<TaskInit>, "env" | "id" | "args"> = {},
    link?: { name: string },
  ): Task {
    return new Task({ ...extra, env: this.envName, id: this.id, args }, link);
  }
}

/** What `env.template(...)` returns: call it with args to get a Task row. */
export interface TemplateHandle<I = JsonObject, A = I> {
  (args?: I, extra?: Omit<Partial<TaskInit>, "env" | "id" | "args">): Task;
  readonly id: string;
  readonly template: Template<A>;
}
