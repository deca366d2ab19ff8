// A Response's status in provider-neutral terms, and the provider's own reason kept for the trace.
import type { Response } from "openai/resources/responses/responses";
import type { FinishReason } from "../../model/model-client.ts";

/**
 * The neutral reason, and the provider's string worth recording: the `incomplete_details.reason` of a cut
 * response (`max_output_tokens` is one of the tool loop's truncation strings, as in the Python SDK). A cut
 * turn is "length" even when it carries calls: their arguments may be the part that was cut.
 */
export function mapFinishReason(
  response: Pick<Response, "status" | "incomplete_details">,
  hasToolCalls: boolean,
): { finishReason: FinishReason; providerFinishReason?: string } {
  if (response.status === "incomplete") {
    const reason = response.incomplete_details?.reason;
    const finishReason: FinishReason =
      reason === "max_output_tokens" ? "length" : reason === "content_filter" ? "refusal" : "other";
    return { finishReason, ...(reason === undefined ? {} : { providerFinishReason: reason }) };
  }
  if (hasToolCalls) return { finishReason: "tool_calls" };
  // Compatible servers may leave `status` out; a response that arrived whole is a completed one.
  if (response.status === "completed" || response.status === undefined) return { finishReason: "stop" };
  return { finishReason: "other", providerFinishReason: response.status };
}
