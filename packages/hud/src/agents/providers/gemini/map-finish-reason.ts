// Gemini's finishReason as the neutral FinishReason the tool loop reads.
import type { FinishReason } from "../../model/model-client.ts";

/** Reasons that mean the content was withheld by a filter, not that the model chose to stop. */
const BLOCKED = new Set([
  "SAFETY",
  "RECITATION",
  "LANGUAGE",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
  "IMAGE_PROHIBITED_CONTENT",
  "IMAGE_RECITATION",
]);

/**
 * Gemini says STOP also when it calls functions, so calls decide `tool_calls`. MAX_TOKENS stays `length` even
 * with calls, so `stopOn: ["length"]` fires as it does in the Python SDK, which checks the raw string.
 * A prompt blocked before generation (`promptFeedback.blockReason`, no candidate) arrives as `reason` too.
 */
export function mapFinishReason(reason: string | undefined, hasToolCalls: boolean): FinishReason {
  if (reason === "MAX_TOKENS") return "length";
  if (hasToolCalls) return "tool_calls";
  if (reason === undefined || reason === "STOP") return "stop";
  if (BLOCKED.has(reason) || reason.startsWith("BLOCKED_REASON") || reason === "OTHER_BLOCK")
    return "refusal";
  return "other";
}
