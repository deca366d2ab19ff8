// Errors of the Gemini SDK as one clear line each. The SDK's ApiError message is the raw JSON error body;
// the retry policy reads that raw error, so mapping happens only once the call has finally failed.
import { ApiError } from "@google/genai";
import { causeChain, oneLine, wrapperWords } from "../error-line.ts";

/** A Gemini API error response, in one line: status, Google's status name, its message. */
export class GeminiApiError extends Error {
  readonly status: number;
  constructor(message: string, status: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "GeminiApiError";
    this.status = status;
  }
}

/**
 * A call that outlived the configured timeout. Its `code` marks it as a transient transport failure, so the
 * shared retry policy tries again, which it would not do for the plain AbortError the SDK raises.
 */
export class GeminiTimeoutError extends Error {
  readonly code = "ETIMEDOUT";
  constructor(seconds: number) {
    super(`Gemini API call timed out after ${seconds}s`);
    this.name = "GeminiTimeoutError";
  }
}

/** What usually fixes a status, for the statuses a user can act on. */
const HINTS: Record<number, string> = {
  401: "check the API key",
  403: "check the API key and its access to the model",
  404: "check the model name",
  429: "rate limited or out of quota: run fewer rollouts at once, or wait",
};

/** `{"error": {"code", "message", "status"}}` → "429 RESOURCE_EXHAUSTED: <message> (<hint>)"; other text kept, flattened. */
function describe(error: ApiError): string {
  // Gemini answers a wrong key with 400 INVALID_ARGUMENT, not 401.
  const badKey = error.status === 400 && /API key not valid/i.test(error.message);
  const note = badKey ? HINTS[401] : HINTS[error.status];
  const hint = note ? ` (${note})` : "";
  let body: unknown;
  try {
    body = JSON.parse(error.message);
  } catch {
    return `${error.status}: ${oneLine(error.message)}${hint}`;
  }
  const inner = (body as { error?: { message?: unknown; status?: unknown } } | null)?.error;
  const name = typeof inner?.status === "string" && inner.status !== "" ? ` ${inner.status}` : "";
  const message = typeof inner?.message === "string" ? inner.message : JSON.stringify(body);
  return `${error.status}${name}: ${oneLine(message)}${hint}`;
}

/** By class, or by shape when a second copy of the SDK was loaded (its class would then differ). */
function isApiError(error: Error): error is ApiError {
  return (
    error instanceof ApiError || (error.name === "ApiError" && typeof (error as ApiError).status === "number")
  );
}

function unreachable(error: TypeError, baseUrl: string): string {
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  const why =
    typeof cause?.code === "string" ? cause.code : typeof cause?.message === "string" ? cause.message : "";
  return `could not reach the Gemini API at ${baseUrl}${why ? `: ${why}` : ""}`;
}

/**
 * The error to report for a failed call. An ApiError becomes a GeminiApiError and a failed fetch names the
 * URL tried — bare, or as the cause of a wrapper such as the retry policy's, whose added words ("(after N
 * attempts)") are kept. Anything else is returned unchanged.
 */
export function mapGeminiError(error: unknown, baseUrl: string): unknown {
  for (const root of causeChain(error)) {
    const tail = wrapperWords(error as Error, root);
    if (isApiError(root)) {
      return new GeminiApiError(`Gemini API error ${describe(root)}${tail}`, root.status, { cause: error });
    }
    if (root instanceof TypeError && root.message === "fetch failed") {
      return new Error(`${unreachable(root, baseUrl)}${tail}`, { cause: error });
    }
  }
  return error;
}
