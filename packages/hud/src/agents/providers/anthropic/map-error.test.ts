import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from "@anthropic-ai/sdk";
import { describe, expect, it } from "vitest";
import { AnthropicCallError, describeAnthropicError, mapAnthropicError } from "./map-error.ts";

const CONTEXT = { baseURL: "http://127.0.0.1:4010", timeoutSeconds: 30 };

/** An error as the SDK builds it from an HTTP response (status, Anthropic's JSON body, headers). */
function httpError(status: number, type: string, message: string, headers: Record<string, string> = {}) {
  return APIError.generate(
    status,
    { type: "error", error: { type, message } },
    undefined,
    new Headers(headers),
  );
}

describe("describeAnthropicError", () => {
  it("names the status, Anthropic's error type and message, and the server's retry-after", () => {
    const error = httpError(
      429,
      "rate_limit_error",
      "Number of request tokens has exceeded your per-minute rate limit",
      {
        "retry-after": "7",
      },
    );
    expect(describeAnthropicError(error, CONTEXT)).toBe(
      "Anthropic API error 429 rate_limit_error: Number of request tokens has exceeded your per-minute rate limit (retry after 7s)",
    );
  });

  it("tells the user to check the key on a 401", () => {
    expect(describeAnthropicError(httpError(401, "authentication_error", "invalid x-api-key"), CONTEXT)).toBe(
      "Anthropic API error 401 authentication_error: invalid x-api-key; check the API key (ANTHROPIC_API_KEY)",
    );
  });

  it("describes an error event inside the stream, timeouts and unreachable hosts", () => {
    const midStream = new APIError(
      undefined,
      { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
      undefined,
      new Headers(),
      "overloaded_error",
    );
    expect(describeAnthropicError(midStream, CONTEXT)).toBe(
      "Anthropic API overloaded_error during the response stream: Overloaded",
    );
    expect(describeAnthropicError(new APIConnectionTimeoutError(), CONTEXT)).toBe(
      "Anthropic API request timed out: no response from http://127.0.0.1:4010 within 30s",
    );
    const refused = new TypeError("fetch failed", {
      cause: new Error("connect ECONNREFUSED 127.0.0.1:4010"),
    });
    expect(describeAnthropicError(new APIConnectionError({ cause: refused }), CONTEXT)).toBe(
      "could not reach the Anthropic API at http://127.0.0.1:4010: fetch failed: connect ECONNREFUSED 127.0.0.1:4010",
    );
    const cut = new TypeError("terminated", { cause: new Error("other side closed") });
    expect(describeAnthropicError(cut, CONTEXT)).toBe(
      "the connection to the Anthropic API at http://127.0.0.1:4010 broke mid-response (other side closed)",
    );
    expect(describeAnthropicError(new Error("boom"), CONTEXT)).toBeUndefined();
  });
});

describe("mapAnthropicError", () => {
  it("wraps an SDK error in one line, keeping its status and the original as cause", () => {
    const original = httpError(500, "api_error", "Internal server error");
    const mapped = mapAnthropicError(original, CONTEXT) as AnthropicCallError;
    expect(mapped).toBeInstanceOf(AnthropicCallError);
    expect([mapped.message, mapped.status, mapped.cause]).toEqual([
      "Anthropic API error 500 api_error: Internal server error",
      500,
      original,
    ]);
  });

  it("rewrites the SDK's words inside an error that wraps it (a retry policy's last attempt)", () => {
    const last = httpError(529, "overloaded_error", "Overloaded");
    const wrapped = new Error(`${last.message} (after 6 attempts)`, { cause: last });
    expect((mapAnthropicError(wrapped, CONTEXT) as Error).message).toBe(
      "Anthropic API error 529 overloaded_error: Overloaded (after 6 attempts)",
    );
  });

  it("passes aborts and unrelated errors through unchanged", () => {
    const abort = new APIUserAbortError();
    const domAbort = new DOMException("This operation was aborted", "AbortError");
    const other = new RangeError("bad");
    expect(mapAnthropicError(abort, CONTEXT)).toBe(abort);
    expect(mapAnthropicError(domAbort, CONTEXT)).toBe(domAbort);
    expect(mapAnthropicError(other, CONTEXT)).toBe(other);
  });
});
