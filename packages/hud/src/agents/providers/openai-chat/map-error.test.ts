import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { describe, expect, it } from "vitest";
import { RetriesExhaustedError } from "../../retry.ts";
import { mapOpenAIChatError, OpenAIChatCallError } from "./map-error.ts";

const BASE = "http://127.0.0.1:8000/v1";

/** An error as the SDK builds it from a server's status, JSON body and headers. */
function statusError(status: number, body: Record<string, unknown>, headers: Record<string, string> = {}) {
  // The SDK wraps bodies without an `error` member (vLLM's) the same way before generating the error.
  const normalized = body.error == null ? { error: body } : body;
  return APIError.generate(status, normalized, undefined, new Headers(headers));
}

function line(error: unknown): string {
  const mapped = mapOpenAIChatError(error, BASE);
  expect(mapped).toBeInstanceOf(OpenAIChatCallError);
  return (mapped as Error).message;
}

describe("mapOpenAIChatError", () => {
  it("names the server, the status, the server's message and the fix for a 429", () => {
    const error = statusError(
      429,
      {
        error: { message: "Rate limit reached for requests", type: "requests", code: "rate_limit_exceeded" },
      },
      { "retry-after": "2" },
    );
    expect(line(error)).toBe(
      `the OpenAI-compatible server at ${BASE} answered 429: Rate limit reached for requests (rate limited: run fewer rollouts at once, or wait; retry after 2s)`,
    );
    expect((mapOpenAIChatError(error, BASE) as OpenAIChatCallError).status).toBe(429);
  });

  it("reads vLLM's unwrapped error body for an unknown model", () => {
    const error = statusError(404, {
      object: "error",
      message: "The model `qwen3-9b` does not exist.",
      type: "NotFoundError",
      param: null,
      code: 404,
    });
    expect(line(error)).toBe(
      `the OpenAI-compatible server at ${BASE} answered 404: The model \`qwen3-9b\` does not exist. (check the model name, and that the base URL ends in /v1)`,
    );
  });

  it("flattens and bounds an HTML error page from a proxy", () => {
    const page = `<html>\n<head><title>502 Bad Gateway</title></head>\n<body>${"x".repeat(1000)}</body></html>`;
    const error = APIError.generate(502, undefined, page, new Headers());
    const message = line(error);
    expect(message).not.toContain("\n");
    expect(message.length).toBeLessThan(420);
    expect(message).toContain("answered 502: <html> <head><title>502 Bad Gateway</title></head>");
    expect(message).toContain("(the server failed; try again later)");
  });

  it("says when the server cannot be reached or does not answer in time", () => {
    const refused = new APIConnectionError({
      cause: Object.assign(new TypeError("fetch failed"), {
        cause: new Error("connect ECONNREFUSED 127.0.0.1:8000"),
      }),
    });
    expect(line(refused)).toBe(
      `could not reach the OpenAI-compatible server at ${BASE}: fetch failed: connect ECONNREFUSED 127.0.0.1:8000 (is it running?)`,
    );
    expect(line(new APIConnectionTimeoutError())).toBe(
      `the OpenAI-compatible server at ${BASE} did not answer in time (raise the call timeout)`,
    );
  });

  it("keeps the retry policy's count of attempts", () => {
    const last = statusError(503, { error: { message: "Service Unavailable" } });
    const message = line(new RetriesExhaustedError(last, 6, 503));
    expect(message).toBe(
      `the OpenAI-compatible server at ${BASE} answered 503: Service Unavailable (the server failed; try again later) (after 6 attempts)`,
    );
  });

  it("passes aborts and errors that are not the SDK's through unchanged", () => {
    const abort = new APIUserAbortError();
    expect(mapOpenAIChatError(abort, BASE)).toBe(abort);
    const domAbort = new DOMException("This operation was aborted", "AbortError");
    expect(mapOpenAIChatError(domAbort, BASE)).toBe(domAbort);
    const other = new Error("the OpenAI-compatible server returned no choices");
    expect(mapOpenAIChatError(other, BASE)).toBe(other);
  });
});
