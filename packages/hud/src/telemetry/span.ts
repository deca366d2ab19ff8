// Step spans in the reference's OpenTelemetry-shaped schema (python-sdk §3.2), and its trace id mapping.
import { createHash, randomBytes } from "node:crypto";
import { now, type Step } from "../eval/trace.ts";

export type SpanKind = "INTERNAL" | "SERVER" | "CLIENT" | "PRODUCER" | "CONSUMER";
export type SpanStatusCode = "UNSET" | "OK" | "ERROR";

export interface SpanEvent {
  name: string;
  timestamp: string;
  attributes: Record<string, unknown>;
}

/** Every key is always present, in this order (the reference dumps its pydantic model). */
export interface Span {
  name: string;
  /** 32 hex. */
  trace_id: string;
  /** 16 hex. */
  span_id: string;
  parent_span_id: string | null;
  kind: SpanKind;
  start_time: string;
  end_time: string;
  status_code: SpanStatusCode;
  status_message: string | null;
  attributes: Record<string, unknown>;
  events: SpanEvent[];
}

export const STEP_SCHEMA = "hud.step.v1";

const NAMESPACE_URL = "6ba7b811-9dad-11d1-80b4-00c04fd430c8";

/** RFC 4122 name-based (SHA-1) uuid, as 32 hex (Python's `uuid.uuid5(namespace, name).hex`). */
export function uuid5Hex(namespace: string, name: string): string {
  const hash = createHash("sha1")
    .update(Buffer.from(namespace.replaceAll("-", ""), "hex"))
    .update(name, "utf8")
    .digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  return bytes.toString("hex");
}

/**
 * Map a run id onto a 32-hex trace id: a (dashed) 32-hex id lowercased, anything else hashed with uuid5.
 * (The reference tests with `int(clean, 16)`, which also passes `0x…` or `_` forms that its span model then
 * rejects; those are hashed here, so every span stays valid.)
 */
export function normalizeTraceId(traceId: string): string {
  const clean = traceId.replaceAll("-", "");
  if (/^[0-9a-fA-F]{32}$/.test(clean)) return clean.toLowerCase();
  return uuid5Hex(NAMESPACE_URL, `hud.task_run:${traceId}`);
}

export function newSpanId(): string {
  return randomBytes(8).toString("hex");
}

/** The span a recorded step is exported as: `step.<source>`, ERROR iff the step has an error. */
export function stepSpan(step: Step, traceId: string): Span {
  const at = now();
  return {
    name: `step.${step.source}`,
    trace_id: normalizeTraceId(traceId),
    span_id: newSpanId(),
    parent_span_id: null,
    kind: "INTERNAL",
    start_time: step.started_at ?? at,
    end_time: step.ended_at ?? at,
    status_code: step.error ? "ERROR" : "OK",
    status_message: step.error ?? null,
    attributes: { "hud.schema": STEP_SCHEMA, "hud.task_run_id": traceId, "hud.payload": step },
    events: [],
  };
}
