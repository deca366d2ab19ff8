// SDK errors as one line each: status, OpenAI's message, what to do; aborts and foreign errors untouched.
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { describe, expect, it } from "vitest";
import { RetriesExhaustedError } from "../../retry.ts";
import { mapError, OpenAICallError } from "./map-error.ts";

/** An error as the SDK builds it from a status, OpenAI's JSON error body and headers. */
function statusError(status: number, error: Record<string, unknown>, headers: Record<string, string> = {}) {
  return APIError.generate(
    status,
    { error },
    undefined,
    new Headers({ "x-request-id": "req_abc", ...headers }),
  );
}

function line(error: unknown): string {
  const mapped = mapError(error, "gpt-5");
  expect(mapped).toBeInstanceOf(OpenAICallError);
  return (mapped as Error).message;
}

describe("mapError", () => {
  it("names the model, the status, OpenAI's message and the fix for a 429", () => {
    const error = statusError(
      429,
      {
        message: "Rate limit reached for gpt-5 in organization org-abc on tokens per min (TPM): Limit 30000.",
        type: "tokens",
        param: null,
        code: "rate_limit_exceeded",
      },
      { "retry-after": "3" },
    );
    expect(line(error)).toBe(
      "OpenAI (model 'gpt-5') answered 429: Rate limit reached for gpt-5 in organization org-abc on tokens per min (TPM): Limit 30000. (rate limited: run fewer rollouts at once, or wait; retry after 3s)",
    );
    expect((mapError(error, "gpt-5") as OpenAICallError).status).toBe(429);
  });

  it("tells an exhausted quota from a rate limit", () => {
    const error = statusError(429, {
      message: "You exceeded your current quota, please check your plan and billing details.",
      type: "insufficient_quota",
      param: null,
      code: "insufficient_quota",
    });
    expect(line(error)).toMatch(
      /answered 429: You exceeded .* \(the account is out of quota: check its billing\)$/,
    );
  });

  it("points at the key for a 401 and at the model id for a 404", () => {
    const bad = statusError(401, {
      message: "Incorrect API key provided: sk-test.",
      type: "invalid_request_error",
      code: "invalid_api_key",
    });
    expect(line(bad)).toBe(
      "OpenAI (model 'gpt-5') answered 401: Incorrect API key provided: sk-test. (check OPENAI_API_KEY)",
    );
    const missing = statusError(404, {
      message: "The model `gpt-9` does not exist or you do not have access to it.",
      code: "model_not_found",
    });
    expect(line(missing)).toMatch(/answered 404: The model `gpt-9` does not exist.* \(check the model id/);
  });

  it("keeps the retry policy's attempt count", () => {
    const last = statusError(500, {
      message: "The server had an error while processing your request.",
      type: "server_error",
    });
    const wrapped = new RetriesExhaustedError(last, 6, 500);
    expect(line(wrapped)).toBe(
      "OpenAI (model 'gpt-5') answered 500: The server had an error while processing your request. (OpenAI failed; try again later) (after 6 attempts)",
    );
  });

  it("says when the API could not be reached or did not answer in time", () => {
    const refused = new APIConnectionError({
      cause: Object.assign(new Error("fetch failed"), {
        cause: new Error("connect ECONNREFUSED 127.0.0.1:9"),
      }),
    });
    expect(line(refused)).toBe(
      "could not reach OpenAI (model 'gpt-5'): fetch failed: connect ECONNREFUSED 127.0.0.1:9 (check the network, and the base URL if one is set)",
    );
    expect(line(new APIConnectionTimeoutError())).toBe(
      "OpenAI (model 'gpt-5') did not answer in time (raise the call timeout)",
    );
  });

  it("flattens and bounds an HTML page a proxy answered with", () => {
    const page = `<html>\n<head><title>502 Bad Gateway</title></head>\n<body>${"x".repeat(1000)}</body></html>`;
    const message = line(APIError.generate(502, page, undefined, new Headers()));
    expect(message).not.toContain("\n");
    expect(message.length).toBeLessThan(400);
  });

  it("passes aborts and errors that are not the SDK's through", () => {
    const abort = new APIUserAbortError();
    expect(mapError(abort, "gpt-5")).toBe(abort);
    const other = new TypeError("boom");
    expect(mapError(other, "gpt-5")).toBe(other);
  });
});
