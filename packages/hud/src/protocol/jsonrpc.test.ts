// Parsing one NDJSON line into a request: error codes for malformed input, and the nesting bound.
import { describe, expect, it } from "vitest";
import { ErrorCode, RpcError } from "./errors.ts";
import { MAX_NESTING, nestsDeeperThan, parseJsonLine, toRequest } from "./jsonrpc.ts";

function codeOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (error) {
    return RpcError.is(error) ? error.code : undefined;
  }
  return undefined;
}

describe("parseJsonLine", () => {
  it("returns JSON objects and rejects the rest with the contract's codes", () => {
    expect(parseJsonLine(Buffer.from('{"method":"hello"}'))).toEqual({ method: "hello" });
    expect(codeOf(() => parseJsonLine(Buffer.from("{nope")))).toBe(ErrorCode.ParseError);
    expect(codeOf(() => parseJsonLine(Buffer.from("[1,2]")))).toBe(ErrorCode.InvalidRequest);
    expect(codeOf(() => parseJsonLine(Buffer.from('"text"')))).toBe(ErrorCode.InvalidRequest);
  });

  it("refuses frames nested deeper than the bound before parsing them", () => {
    const nested = (depth: number) =>
      Buffer.from(`{"params":{"answer":${"[".repeat(depth)}${"]".repeat(depth)}}}`);
    expect(() => parseJsonLine(nested(MAX_NESTING - 2))).not.toThrow();
    expect(codeOf(() => parseJsonLine(nested(MAX_NESTING)))).toBe(ErrorCode.InvalidRequest);
  });
});

describe("nestsDeeperThan", () => {
  it("counts brackets outside strings only, escapes included", () => {
    expect(nestsDeeperThan(Buffer.from("[[[]]]"), 2)).toBe(true);
    expect(nestsDeeperThan(Buffer.from('["[[[[","\\"[[[["]'), 2)).toBe(false);
    expect(nestsDeeperThan(Buffer.from('{"a":{"b":[1]}}'), 3)).toBe(false);
    expect(nestsDeeperThan(Buffer.from('{"a":{"b":[{}]}}'), 3)).toBe(true);
  });
});

describe("toRequest", () => {
  it("keeps ids and methods, defaults params, and names bad fields", () => {
    expect(toRequest({ jsonrpc: "2.0", id: 7, method: "tasks.list" })).toEqual({
      jsonrpc: "2.0",
      id: 7,
      method: "tasks.list",
      params: {},
    });
    expect(codeOf(() => toRequest({ method: 3 }))).toBe(ErrorCode.InvalidRequest);
    expect(codeOf(() => toRequest({ method: "hello", params: [1] }))).toBe(ErrorCode.InvalidParams);
    expect(codeOf(() => toRequest({ method: "hello", id: {} }))).toBe(ErrorCode.InvalidRequest);
  });
});
