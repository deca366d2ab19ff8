// The wire methods, declared once: params parsing (with the contract's exact error texts) and result shapes.
// Server dispatch and typed client calls are both derived from this table.
import { ErrorCode, RpcError } from "./errors.ts";
import { isObject, type JsonObject } from "./jsonrpc.ts";

/** A capability as it travels in `hello.bindings`. */
export interface CapabilityManifest {
  name: string;
  protocol: string;
  url: string;
  params: JsonObject;
}

/** One `tasks.list` entry. */
export interface ManifestEntry {
  id: string;
  description: string;
  args: JsonObject;
  input?: JsonObject;
  returns?: JsonObject;
  [key: string]: unknown;
}

export interface ChatMessage {
  role: "user" | "assistant" | "system";
  content: unknown;
  [key: string]: unknown;
}

export interface HelloResult {
  session_id: string;
  env: { name: string; version: string };
  bindings: CapabilityManifest[];
  [key: string]: unknown;
}

export interface PromptFrame {
  prompt: string | ChatMessage[] | unknown;
  [key: string]: unknown;
}

export interface GradeFrame {
  score: number;
  [key: string]: unknown;
}

function invalid(message: string): RpcError {
  return new RpcError(ErrorCode.InvalidParams, message);
}

interface Method<P, R> {
  parse(params: JsonObject): P;
  /** Compile-time only: the result type. */
  readonly result?: R;
}

function method<P, R>(parse: (params: JsonObject) => P): Method<P, R> {
  return { parse };
}

export const methods = {
  hello: method<{ session_id?: string }, HelloResult>((params) => {
    const sid = params.session_id;
    if (sid === undefined || sid === null) return {};
    if (typeof sid !== "string") throw invalid("hello: 'session_id' must be a string");
    return { session_id: sid };
  }),
  "tasks.list": method<Record<string, never>, { tasks: ManifestEntry[] }>(() => ({})),
  "tasks.start": method<{ id: string; args: JsonObject }, PromptFrame>((params) => {
    if (typeof params.id !== "string") throw invalid("tasks.start: 'id' must be a string");
    const args = params.args ?? {};
    if (!isObject(args)) throw invalid("tasks.start: 'args' must be an object");
    return { id: params.id, args };
  }),
  "tasks.grade": method<JsonObject, GradeFrame>((params) => params),
  "tasks.cancel": method<Record<string, never>, { cancelled: true }>(() => ({})),
  "tasks.solve": method<Record<string, never>, { answer: unknown }>(() => ({})),
  bye: method<Record<string, never>, { goodbye: true }>(() => ({})),
} as const;

export type MethodName = keyof typeof methods;
export type ParamsOf<M extends MethodName> = ReturnType<(typeof methods)[M]["parse"]>;
export type ResultOf<M extends MethodName> = NonNullable<(typeof methods)[M]["result"]>;

export function isMethodName(name: string): name is MethodName {
  return Object.hasOwn(methods, name);
}

/** The method that turns a fresh connection into a capability stream. */
export const TUNNEL_OPEN = "tunnel.open";

/** Parse `tunnel.open` params: the capability name. */
export function parseTunnelOpen(params: JsonObject): { capability: string } {
  if (typeof params.capability !== "string" || params.capability === "") {
    throw invalid("tunnel.open: 'capability' must be a non-empty string");
  }
  return { capability: params.capability };
}
