// SDK errors as one line a user can act on: the status, Anthropic's error type and its own message.
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
} from "@anthropic-ai/sdk";
import { connectionFailure, oneLine, ProviderCallError, retryAfterSeconds } from "../error-line.ts";

/** A failed Anthropic call, described in one line; the SDK's error stays as `cause`. */
export class AnthropicCallError extends ProviderCallError {
  override readonly name = "AnthropicCallError";
}

export interface ErrorContext {
  baseURL: string;
  timeoutSeconds?: number;
}

/** Extra words for mistakes the user fixes in their own setup. */
const HINTS: Record<number, string> = {
  401: "; check the API key (ANTHROPIC_API_KEY)",
  403: "; check the API key's permissions",
};

function retryAfter(error: APIError): string {
  const seconds = retryAfterSeconds(error.headers);
  return seconds ? ` (retry after ${seconds}s)` : "";
}

/** Anthropic's messages are short, so they are kept whole. */
const WHOLE = Number.POSITIVE_INFINITY;

/** The line for one SDK error, or undefined for errors that are not the SDK's. */
export function describeAnthropicError(error: unknown, context: ErrorContext): string | undefined {
  if (error instanceof APIConnectionTimeoutError) {
    const limit = context.timeoutSeconds === undefined ? "" : ` within ${context.timeoutSeconds}s`;
    return `Anthropic API request timed out: no response from ${context.baseURL}${limit}`;
  }
  if (error instanceof APIConnectionError) {
    const detail = connectionFailure(error, WHOLE);
    return `could not reach the Anthropic API at ${context.baseURL}${detail ? `: ${detail}` : ""}`;
  }
  // undici's word for a response body whose connection broke; the SDK passes it on unwrapped.
  if (error instanceof TypeError && error.message === "terminated") {
    const detail = error.cause instanceof Error ? ` (${oneLine(error.cause.message, WHOLE)})` : "";
    return `the connection to the Anthropic API at ${context.baseURL} broke mid-response${detail}`;
  }
  if (!(error instanceof APIError)) return undefined;
  const type = error.type ?? "error";
  const message = oneLine(error.apiMessage ?? error.message, WHOLE);
  // A status-less APIError is an `error` event inside a 200 stream (e.g. overloaded mid-answer).
  if (error.status === undefined) return `Anthropic API ${type} during the response stream: ${message}`;
  return `Anthropic API error ${error.status} ${type}: ${message}${retryAfter(error)}${HINTS[error.status] ?? ""}`;
}

/**
 * The error to throw for a failed call. Aborts pass through unchanged (the caller asked for them). An error
 * that wraps an SDK error (a retry policy's last attempt) keeps its own words around the SDK error's new line.
 */
export function mapAnthropicError(error: unknown, context: ErrorContext): unknown {
  if (error instanceof APIUserAbortError || (error instanceof Error && error.name === "AbortError"))
    return error;
  const own = describeAnthropicError(error, context);
  if (own !== undefined) return new AnthropicCallError(own, (error as APIError).status, error);
  const cause = error instanceof Error ? error.cause : undefined;
  const inner = cause instanceof APIUserAbortError ? undefined : describeAnthropicError(cause, context);
  if (inner === undefined || !(error instanceof Error)) return error;
  const message = error.message.includes((cause as Error).message)
    ? error.message.replace((cause as Error).message, inner)
    : `${inner} (${error.message})`;
  return new AnthropicCallError(message, (cause as APIError).status, error);
}
