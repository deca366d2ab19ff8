// A Gemini generateContent response as the neutral ModelTurn: answer text, thoughts as reasoning, function
// calls as tool calls, and the model's parts kept verbatim so the next request can send them back.
import type { GenerateContentResponse, Part } from "@google/genai";
import type { ModelToolCall } from "../../model/conversation.ts";
import type { ModelTurn } from "../../model/model-client.ts";
import { GEMINI_PROVIDER } from "./convert-contents.ts";
import { convertUsage } from "./convert-usage.ts";
import { mapFinishReason } from "./map-finish-reason.ts";

/** The response fields read here: plain recorded JSON fits as well as the SDK's class. */
export type GeminiResponse = Pick<
  GenerateContentResponse,
  "candidates" | "usageMetadata" | "modelVersion" | "promptFeedback" | "responseId"
>;

export interface MapResponseOptions {
  /** The requested model, reported when the response names none. */
  model: string;
  /**
   * The number of the first generated call id (`call_<n>`) for calls Gemini sent without one; counting on
   * from the conversation's earlier calls keeps ids unique within it.
   */
  firstCallNumber: number;
}

function toolCall(part: Part, id: string): ModelToolCall {
  const { name = "", args } = part.functionCall ?? {};
  // Gemini parses arguments itself, so they are an object; anything else is kept raw and never executed.
  const isObject = typeof args === "object" && args !== null && !Array.isArray(args);
  return { id, name, arguments: isObject ? args : args === undefined ? {} : JSON.stringify(args) };
}

export function mapResponse(response: GeminiResponse, options: MapResponseOptions): ModelTurn {
  const candidate = response.candidates?.[0];
  const parts = candidate?.content?.parts ?? [];
  const text: string[] = [];
  const thoughts: string[] = [];
  const toolCalls: ModelToolCall[] = [];
  let next = options.firstCallNumber;
  for (const part of parts) {
    if (part.functionCall) toolCalls.push(toolCall(part, part.functionCall.id || `call_${next++}`));
    else if (typeof part.text === "string") (part.thought ? thoughts : text).push(part.text);
  }
  const reason = candidate?.finishReason ?? response.promptFeedback?.blockReason;
  const turn: ModelTurn = {
    message: {
      role: "assistant",
      text: text.join(""),
      toolCalls,
      native: { provider: GEMINI_PROVIDER, value: { parts } },
    },
    finishReason: mapFinishReason(reason, toolCalls.length > 0),
    usage: convertUsage(response.usageMetadata),
    model: response.modelVersion || options.model,
  };
  if (thoughts.length > 0) turn.message.reasoning = thoughts.join("");
  if (reason !== undefined) turn.providerFinishReason = reason;
  return turn;
}
