// A failed Responses API call as one line naming the model, what went wrong and what to try; the shared
// mapping of the `openai` SDK's errors with OpenAI's own advice.
import { ProviderCallError } from "../error-line.ts";
import { mapOpenAISdkError } from "../openai-sdk-error.ts";

/** A failed call, described in one line; the SDK's error (or the retry policy's wrapper) stays as `cause`. */
export class OpenAICallError extends ProviderCallError {
  override readonly name = "OpenAICallError";
}

const HINTS: Record<number, string> = {
  401: "check OPENAI_API_KEY",
  403: "check that the key's project has access to the model",
  404: "check the model id, and the base URL if one is set",
  413: "the request is too large",
  429: "rate limited: run fewer rollouts at once, or wait",
};

/**
 * The error to throw for a failed call for `model`: an SDK error becomes an OpenAICallError (keeping a
 * wrapper's "(after N attempts)"); aborts and anything else pass through unchanged.
 */
export function mapError(error: unknown, model: string): unknown {
  const wording = {
    who: `OpenAI (model '${model}')`,
    unreachable: "check the network, and the base URL if one is set",
    hints: HINTS,
    serverFailed: "OpenAI failed; try again later",
    codeHints: { insufficient_quota: "the account is out of quota: check its billing" },
  };
  return mapOpenAISdkError(error, wording, OpenAICallError);
}
