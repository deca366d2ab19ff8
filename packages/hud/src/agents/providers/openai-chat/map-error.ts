// A failed call to an OpenAI-compatible server as one line: the server, what went wrong and what to try.
// The retry policy reads the SDK's own errors, so mapping happens only once the call has finally failed.
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from "openai";

/** A failed call, described in one line; the SDK's error (or the retry policy's wrapper) stays as `cause`. */
export class OpenAIChatCallError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status: number | undefined, cause: unknown) {
    super(message, { cause });
    this.name = "OpenAIChatCallError";
    this.status = status;
  }
}

/** Longest server message kept: proxies answer errors with whole HTML pages. */
const MAX_DETAIL = 300;

/** What usually fixes a status, for the statuses a user can act on. */
const HINTS: Record<number, string> = {
  401: "check the API key",
  403: "check the API key and its access to the model",
  404: "check the model name, and that the base URL ends in /v1",
  429: "rate limited: run fewer rollouts at once, or wait",
};

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > MAX_DETAIL ? `${flat.slice(0, MAX_DETAIL)}…` : flat;
}

function retryAfter(error: APIError): string {
  const seconds = error.headers?.get("retry-after")?.trim();
  return seconds && /^\d+(\.\d+)?$/.test(seconds) ? `retry after ${seconds}s` : "";
}

/** The line for one SDK error. */
function describe(error: APIError, baseURL: string): string {
  const server = `the OpenAI-compatible server at ${baseURL}`;
  if (error instanceof APIConnectionTimeoutError)
    return `${server} did not answer in time (raise the call timeout)`;
  if (error instanceof APIConnectionError) {
    const cause = error.cause instanceof Error ? error.cause : undefined;
    const why = oneLine(
      [cause?.message, (cause?.cause as Error | undefined)?.message].filter(Boolean).join(": "),
    );
    return `could not reach ${server}${why ? `: ${why}` : ""} (is it running?)`;
  }
  // The SDK's message is "<status> <server message>"; the status is said once, up front.
  const detail = oneLine(error.message.replace(/^\d{3}\s+/, ""));
  const status = error.status;
  const hint =
    status === undefined
      ? ""
      : (HINTS[status] ?? (status >= 500 ? "the server failed; try again later" : ""));
  const notes = [hint, retryAfter(error)].filter(Boolean).join("; ");
  return `${server} answered ${status ?? "an error"}${detail ? `: ${detail}` : ""}${notes ? ` (${notes})` : ""}`;
}

/** The error and its causes, outermost first (bounded: cause chains can loop). */
function causes(error: unknown): Error[] {
  const chain: Error[] = [];
  for (let at = error; at instanceof Error && chain.length < 6 && !chain.includes(at); at = at.cause)
    chain.push(at);
  return chain;
}

/**
 * The error to throw for a failed call to `baseURL`. An SDK error becomes an OpenAIChatCallError — bare, or
 * as the cause of a wrapper such as the retry policy's, whose added words ("(after N attempts)") are kept.
 * Aborts and anything else pass through unchanged.
 */
export function mapOpenAIChatError(error: unknown, baseURL: string): unknown {
  const chain = causes(error);
  const root = chain.find((e): e is APIError => e instanceof APIError);
  if (!root || root instanceof APIUserAbortError || chain[0]?.name === "AbortError") return error;
  const outer = chain[0]!;
  const tail =
    outer !== root && outer.message.startsWith(root.message) ? outer.message.slice(root.message.length) : "";
  return new OpenAIChatCallError(`${describe(root, baseURL)}${tail}`, root.status, error);
}
