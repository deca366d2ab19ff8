// Errors of the `openai` SDK as one line: who was called, what went wrong and what to try. The Responses
// adapter and the OpenAI-compatible chat adapter share it and differ only in their wording. The retry policy
// reads the SDK's own errors, so mapping happens only once the call has finally failed.
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";
import { causeChain, connectionFailure, oneLine, retryAfterSeconds, wrapperWords } from "./error-line.ts";

/** How one adapter names the server and what it advises. */
export interface OpenAISdkWording {
  /** Who was called, as the subject of the line, e.g. "OpenAI (model 'gpt-5')". */
  who: string;
  /** What to try when the server cannot be reached. */
  unreachable: string;
  /** What usually fixes a status, for the statuses a user can act on. */
  hints: Record<number, string>;
  /** What to try after a 5xx. */
  serverFailed: string;
  /** Hints by OpenAI error code, ahead of the status's (a 429 for an exhausted quota is not a rate limit). */
  codeHints?: Record<string, string>;
}

function hintFor(error: APIError, wording: OpenAISdkWording): string {
  const byCode = typeof error.code === "string" ? wording.codeHints?.[error.code] : undefined;
  if (byCode) return byCode;
  const status = error.status;
  if (status === undefined) return "";
  return wording.hints[status] ?? (status >= 500 ? wording.serverFailed : "");
}

/** The line for one SDK error. */
function describe(error: APIError, wording: OpenAISdkWording): string {
  const { who } = wording;
  if (error instanceof APIConnectionTimeoutError)
    return `${who} did not answer in time (raise the call timeout)`;
  if (error instanceof APIConnectionError) {
    const why = connectionFailure(error);
    return `could not reach ${who}${why ? `: ${why}` : ""} (${wording.unreachable})`;
  }
  // The SDK's message is "<status> <server message>"; the status is said once, up front.
  const detail = oneLine(error.message.replace(/^\d{3}\s+/, ""));
  const seconds = retryAfterSeconds(error.headers);
  const notes = [hintFor(error, wording), seconds ? `retry after ${seconds}s` : ""]
    .filter(Boolean)
    .join("; ");
  return `${who} answered ${error.status ?? "an error"}${detail ? `: ${detail}` : ""}${notes ? ` (${notes})` : ""}`;
}

/**
 * The error to throw for a failed call. An SDK error becomes a `CallError` (the adapter's own class) — bare,
 * or as the cause of a wrapper such as the retry policy's, whose added words ("(after N attempts)") are kept.
 * Aborts and anything else pass through unchanged.
 */
export function mapOpenAISdkError(
  error: unknown,
  wording: OpenAISdkWording,
  CallError: new (message: string, status: number | undefined, cause: unknown) => Error,
): unknown {
  const chain = causeChain(error);
  const root = chain.find((e): e is APIError => e instanceof APIError);
  if (!root || root instanceof APIUserAbortError || chain[0]?.name === "AbortError") return error;
  return new CallError(`${describe(root, wording)}${wrapperWords(chain[0]!, root)}`, root.status, error);
}
