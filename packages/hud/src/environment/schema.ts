// Schemas for template args/returns: a Standard Schema (zod 4, valibot, arktype) or a plain JSON Schema object,
// normalized to one interface that validates values and publishes JSON Schema for the manifest.
import type { StandardSchemaV1 } from "@standard-schema/spec";
import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import type { JsonObject } from "../protocol/jsonrpc.ts";

export interface SchemaIssue {
  message: string;
  path: (string | number)[];
}

export type ValidationOutcome = { ok: true; value: unknown } | { ok: false; issues: SchemaIssue[] };

/** What a template author may pass as `args` or `returns`. */
export type SchemaInput = StandardSchemaV1 | JsonObject;

export interface Schema {
  readonly jsonSchema: JsonObject;
  validate(value: unknown): Promise<ValidationOutcome>;
}

function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  const props = (value as { "~standard"?: { version?: unknown; validate?: unknown } } | null)?.["~standard"];
  return typeof props === "object" && props !== null && typeof props.validate === "function";
}

/** Publish a Standard Schema as JSON Schema when the library can (Standard JSON Schema), else accept-anything. */
function jsonSchemaOf(schema: StandardSchemaV1): JsonObject {
  const converter = (
    schema["~standard"] as { jsonSchema?: { input?: (o: { target: string }) => JsonObject } }
  ).jsonSchema;
  if (typeof converter?.input === "function") {
    for (const target of ["draft-2020-12", "draft-07"]) {
      try {
        const out = { ...converter.input({ target }) };
        delete out.$schema;
        return out;
      } catch {
        // try the next target
      }
    }
  }
  return {};
}

function pathOf(issue: StandardSchemaV1.Issue): (string | number)[] {
  return (issue.path ?? []).map((segment) => {
    const key = typeof segment === "object" && segment !== null ? segment.key : segment;
    return typeof key === "number" ? key : String(key);
  });
}

class StandardSchemaAdapter implements Schema {
  readonly jsonSchema: JsonObject;
  private readonly schema: StandardSchemaV1;
  constructor(schema: StandardSchemaV1) {
    this.schema = schema;
    this.jsonSchema = jsonSchemaOf(schema);
  }
  async validate(value: unknown): Promise<ValidationOutcome> {
    const result = await this.schema["~standard"].validate(value);
    if (result.issues) {
      return { ok: false, issues: result.issues.map((i) => ({ message: i.message, path: pathOf(i) })) };
    }
    return { ok: true, value: result.value };
  }
}

let ajv07: Ajv | undefined;
let ajv2020: Ajv2020 | undefined;

function compile(schema: JsonObject): ValidateFunction {
  const draft07 = typeof schema.$schema === "string" && schema.$schema.includes("draft-07");
  // addUsedSchema: false, or a second template reusing a schema with an `$id` fails to compile.
  if (draft07) {
    ajv07 ??= new Ajv({ strict: false, allErrors: true, addUsedSchema: false });
    return ajv07.compile(schema);
  }
  ajv2020 ??= new Ajv2020({ strict: false, allErrors: true, addUsedSchema: false });
  return ajv2020.compile(schema);
}

class JsonSchemaAdapter implements Schema {
  readonly jsonSchema: JsonObject;
  private readonly check: ValidateFunction;
  constructor(schema: JsonObject) {
    this.jsonSchema = schema;
    try {
      this.check = compile(schema);
    } catch (error) {
      throw new TypeError(`invalid JSON Schema: ${(error as Error).message}`);
    }
  }
  async validate(value: unknown): Promise<ValidationOutcome> {
    if (this.check(value)) return { ok: true, value };
    const issues = (this.check.errors ?? []).map((e) => {
      const path = e.instancePath
        .split("/")
        .slice(1)
        .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
      // Key issues belong to the object holding the key; the message names the key.
      if (e.keyword === "additionalProperties") {
        const extra = (e.params as { additionalProperty?: string }).additionalProperty;
        return { message: `unknown key '${extra}'`, path };
      }
      if (e.keyword === "required") {
        const missing = (e.params as { missingProperty?: string }).missingProperty;
        return { message: `missing required key '${missing}'`, path };
      }
      return { message: e.message ?? "invalid", path };
    });
    return { ok: false, issues };
  }
}

/** Normalize what the author passed. Throws a TypeError naming the problem for anything else. */
export function toSchema(input: SchemaInput): Schema {
  if (isStandardSchema(input)) return new StandardSchemaAdapter(input);
  if (typeof input === "object" && input !== null && !Array.isArray(input)) {
    return new JsonSchemaAdapter(input);
  }
  throw new TypeError("a schema must be a Standard Schema (e.g. zod 4) or a JSON Schema object");
}

/** One line describing validation issues: `'word': expected string; unknown key 'x'`. */
export function describeIssues(issues: SchemaIssue[]): string {
  return issues
    .map((issue) => (issue.path.length > 0 ? `'${issue.path.join(".")}': ${issue.message}` : issue.message))
    .join("; ");
}
