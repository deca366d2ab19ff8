// A final Anthropic Message as the neutral ModelTurn: text, reasoning, tool calls, finish reason and usage.
import type { Message, StopReason, Usage } from "@anthropic-ai/sdk/resources/messages";
import type { ModelToolCall } from "../../model/conversation.ts";
import type { CallUsage, FinishReason, ModelTurn } from "../../model/model-client.ts";
import { ANTHROPIC_PROVIDER, isObject, nativeContent } from "./native-content.ts";

const FINISH: Partial<Record<StopReason, FinishReason>> = {
  end_turn: "stop",
  stop_sequence: "stop",
  tool_use: "tool_calls",
  max_tokens: "length",
  // The context window filled up mid-answer: as truncating as max_tokens.
  model_context_window_exceeded: "length",
  refusal: "refusal",
};

export function mapStopReason(reason: StopReason | null): FinishReason {
  return (reason !== null && FINISH[reason]) || "other";
}

/** Anthropic counts cache reads and writes apart from `input_tokens`; the neutral input is the whole prompt. */
export function mapUsage(usage: Usage): CallUsage {
  const cached = usage.cache_read_input_tokens ?? 0;
  return {
    inputTokens: usage.input_tokens + cached + (usage.cache_creation_input_tokens ?? 0),
    outputTokens: usage.output_tokens,
    cachedInputTokens: cached,
  };
}

export function mapResponse(message: Message): ModelTurn {
  const text: string[] = [];
  const thinking: string[] = [];
  const toolCalls: ModelToolCall[] = [];
  for (const block of message.content) {
    if (block.type === "text") text.push(block.text);
    else if (block.type === "thinking" && block.thinking !== "") thinking.push(block.thinking);
    else if (block.type === "tool_use") {
      // A string input is JSON the stream could not parse: kept raw so the loop refuses to run it.
      const args = typeof block.input === "string" || isObject(block.input) ? block.input : {};
      toolCalls.push({ id: block.id, name: block.name, arguments: args });
    }
  }
  return {
    message: {
      role: "assistant",
      // Citations split one sentence over several text blocks, so they join with nothing between.
      text: text.join(""),
      ...(thinking.length > 0 ? { reasoning: thinking.join("\n") } : {}),
      toolCalls,
      native: { provider: ANTHROPIC_PROVIDER, value: nativeContent(message.content) },
    },
    finishReason: mapStopReason(message.stop_reason),
    ...(message.stop_reason !== null ? { providerFinishReason: message.stop_reason } : {}),
    usage: mapUsage(message.usage),
    model: message.model,
  };
}
