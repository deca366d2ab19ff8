// A failed call to an OpenAI-compatible server as one line: the server, what went wrong and what to try; the
// shared mapping of the `openai` SDK's errors with advice for a self-hosted server.
import { ProviderCallError } from "../error-line.ts";
import { mapOpenAISdkError } from "../openai-sdk-error.ts";

/** A failed call, described in one line; the SDK's error (or the retry policy's wrapper) stays as `cause`. */
export class OpenAIChatCallError extends ProviderCallError {
  override readonly name = "OpenAIChatCallError";
}

const HINTS: Record<number, string> = {
  401: "check the API key",
  403: "check the API key and its access to the model",
  404: "check the model name, and that the base URL ends in /v1",
  429: "rate limited: run fewer rollouts at once, or wait",
};

/**
 * The error to throw for a failed call to `baseURL`: an SDK error becomes an OpenAIChatCallError (keeping a
 * wrapper's "(after N attempts)"); aborts and anything else pass through unchanged.
 */
export function mapOpenAIChatError(error: unknown, baseURL: string): unknown {
  const wording = {
    who: `the OpenAI-compatible server at ${baseURL}`,
    unreachable: "is it running?",
    hints: HINTS,
    serverFailed: "the server failed; try again later",
  };
  return mapOpenAISdkError(error, wording, OpenAIChatCallError);
}
