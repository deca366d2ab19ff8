// JSON-RPC 2.0 message shapes and the parse step that turns one NDJSON line into a message.
import { ErrorCode, RpcError } from "./errors.ts";

export type JsonObject = { [key: string]: unknown };
export type RequestId = number | string | null;

export interface RpcRequest {
  jsonrpc: "2.0";
  id?: RequestId;
  method: string;
  params?: JsonObject;
}

export interface RpcSuccess {
  jsonrpc: "2.0";
  id: RequestId;
  result: JsonObject;
}

export interface RpcFailure {
  jsonrpc: "2.0";
  id: RequestId;
  error: { code: number; message: string; data?: unknown };
}

export type RpcResponse = RpcSuccess | RpcFailure;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Deepest nesting accepted in a frame. JSON.parse slows down sharply on very deep input (a 16 MiB
 * `[[[…]]]` blocks the event loop for seconds), so deeper frames are refused before parsing.
 */
export const MAX_NESTING = 10_000;

/** Whether `line` nests arrays/objects deeper than `max` (strings and their escapes skipped). */
export function nestsDeeperThan(line: Buffer, max: number): boolean {
  if (line.length <= max) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const byte = line[i]!;
    if (inString) {
      if (byte === 0x5c) i++;
      else if (byte === 0x22) inString = false;
    } else if (byte === 0x22) inString = true;
    else if (byte === 0x5b || byte === 0x7b) {
      if (++depth > max) return true;
    } else if (byte === 0x5d || byte === 0x7d) depth--;
  }
  return false;
}

/** Parse one line as a JSON object; a malformed line is a `-32700` error. */
export function parseJsonLine(line: Buffer | string): JsonObject {
  if (typeof line !== "string" && nestsDeeperThan(line, MAX_NESTING)) {
    throw new RpcError(ErrorCode.InvalidRequest, `invalid request: nested deeper than ${MAX_NESTING} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(typeof line === "string" ? line : line.toString("utf8"));
  } catch (error) {
    throw new RpcError(ErrorCode.ParseError, `parse error: ${(error as Error).message}`);
  }
  if (!isObject(value))
    throw new RpcError(ErrorCode.InvalidRequest, "invalid request: a frame must be a JSON object");
  return value;
}

/** Validate a decoded frame as a request. Ids may be numbers or strings (JSON-RPC allows both). */
export function toRequest(frame: JsonObject): RpcRequest {
  const { method, params, id } = frame;
  if (typeof method !== "string") {
    throw new RpcError(ErrorCode.InvalidRequest, "invalid request: 'method' must be a string");
  }
  if (params !== undefined && params !== null && !isObject(params)) {
    throw new RpcError(ErrorCode.InvalidParams, `${method}: 'params' must be an object`);
  }
  if (id !== undefined && id !== null && typeof id !== "number" && typeof id !== "string") {
    throw new RpcError(ErrorCode.InvalidRequest, "invalid request: 'id' must be a number or a string");
  }
  const request: RpcRequest = { jsonrpc: "2.0", method, params: (params as JsonObject | undefined) ?? {} };
  if (id !== undefined) request.id = id as RequestId;
  return request;
}

/** The id of a frame if it has a usable one (for error replies to frames that failed validation). */
export function frameId(frame: JsonObject | undefined): RequestId {
  const id = frame?.id;
  return typeof id === "number" || typeof id === "string" ? id : null;
}

export function success(id: RequestId, result: JsonObject): RpcSuccess {
  return { jsonrpc: "2.0", id, result };
}

export function failure(id: RequestId, error: RpcError): RpcFailure {
  return { jsonrpc: "2.0", id, error: error.toWire() };
}
