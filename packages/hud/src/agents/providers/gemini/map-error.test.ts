// mapGeminiError: the SDK's raw JSON errors and failed fetches as one clear line.
import { ApiError } from "@google/genai";
import { describe, expect, it } from "vitest";
import { RetriesExhaustedError } from "../../retry.ts";
import { GeminiApiError, mapGeminiError } from "./map-error.ts";

const BASE = "http://127.0.0.1:9";

/** The message the SDK builds for a 429: the JSON body, verbatim. */
const QUOTA_BODY = JSON.stringify({
  error: {
    code: 429,
    message:
      "You exceeded your current quota, please check your plan and billing details.\n* Quota exceeded for metric: generate_content_free_tier_requests, limit: 2",
    status: "RESOURCE_EXHAUSTED",
    details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "23s" }],
  },
});

describe("mapGeminiError", () => {
  it("turns an ApiError into one line with status, status name and message", () => {
    const mapped = mapGeminiError(new ApiError({ message: QUOTA_BODY, status: 429 }), BASE);
    expect(mapped).toBeInstanceOf(GeminiApiError);
    expect((mapped as GeminiApiError).status).toBe(429);
    expect((mapped as Error).message).toBe(
      "Gemini API error 429 RESOURCE_EXHAUSTED: You exceeded your current quota, please check your plan and billing details. * Quota exceeded for metric: generate_content_free_tier_requests, limit: 2 (rate limited or out of quota: run fewer rollouts at once, or wait)",
    );
  });

  it("says to check the key when Gemini rejects it (a 400, not a 401)", () => {
    const body = JSON.stringify({
      error: {
        code: 400,
        message: "API key not valid. Please pass a valid API key.",
        status: "INVALID_ARGUMENT",
        details: [{ "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID" }],
      },
    });
    expect((mapGeminiError(new ApiError({ message: body, status: 400 }), BASE) as Error).message).toBe(
      "Gemini API error 400 INVALID_ARGUMENT: API key not valid. Please pass a valid API key. (check the API key)",
    );
  });

  it("keeps what a retry wrapper added", () => {
    const api = new ApiError({ message: QUOTA_BODY, status: 429 });
    const mapped = mapGeminiError(new RetriesExhaustedError(api, 6, 429), BASE) as Error;
    expect(mapped.message).toMatch(
      /^Gemini API error 429 RESOURCE_EXHAUSTED: You exceeded .*, or wait\) \(after 6 attempts\)$/,
    );
    expect(mapped.message).not.toContain("\n");
  });

  it("flattens and bounds a body that is not Google's JSON (e.g. a proxy's HTML page)", () => {
    const html = `{"error":{"message":"<html>\\n<body>${"Bad Gateway ".repeat(60)}</body></html>","code":502,"status":"Bad Gateway"}}`;
    const mapped = mapGeminiError(new ApiError({ message: html, status: 502 }), BASE) as Error;
    expect(mapped.message.startsWith("Gemini API error 502 Bad Gateway: <html> <body>Bad Gateway")).toBe(
      true,
    );
    expect(mapped.message.length).toBeLessThan(400);
    expect(mapGeminiError(new ApiError({ message: "not json", status: 500 }), BASE)).toMatchObject({
      message: "Gemini API error 500: not json",
    });
  });

  it("names the URL when the server cannot be reached", () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
    const mapped = mapGeminiError(new TypeError("fetch failed", { cause: refused }), BASE) as Error;
    expect(mapped.message).toBe("could not reach the Gemini API at http://127.0.0.1:9: ECONNREFUSED");
  });

  it("returns other errors unchanged", () => {
    const abort = new DOMException("This operation was aborted", "AbortError");
    expect(mapGeminiError(abort, BASE)).toBe(abort);
  });
});
