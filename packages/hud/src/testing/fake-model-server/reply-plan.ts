// A test's FakeAnswer made concrete once — ids, argument JSON, finish, token counts — before any wire encoding.
import type { FakeAnswer, FakeConversation, FakeMessage, FakePart } from "./conversation.ts";
import { parseArguments } from "./wire-values.ts";

export interface PlannedToolCall {
  id: string;
  name: string;
  /** Exactly the text the wire carries: the reply's raw string, or its arguments as JSON. */
  argumentsJson: string;
  /** The arguments as a client would parse them (the raw string when it is not JSON). */
  arguments: unknown;
}

export interface PlannedUsage {
  /** The whole prompt, cached part included. */
  input: number;
  cached: number;
  /** All generated tokens, reasoning included. */
  output: number;
  reasoning: number;
}

export interface PlannedReply {
  text: string;
  reasoning: string;
  toolCalls: PlannedToolCall[];
  finish: "stop" | "length" | "tool_calls";
  usage: PlannedUsage;
}

/** Roughly four characters a token: deterministic, so tests can predict the default usage. */
export function estimateTokens(chars: number): number {
  return Math.ceil(chars / 4);
}

/** An image costs a flat 85 tokens (OpenAI's low-detail price), whatever its size. */
const IMAGE_TOKENS = 85;

function partChars(part: FakePart): number {
  switch (part.type) {
    case "text":
      return part.text.length;
    case "image":
      return IMAGE_TOKENS * 4;
    case "tool_call":
      return part.name.length + JSON.stringify(part.arguments ?? {}).length;
    case "tool_result":
      return part.text.length + (part.images?.length ?? 0) * IMAGE_TOKENS * 4;
  }
}

export function promptTokens(conversation: FakeConversation): number {
  let chars = conversation.system?.length ?? 0;
  for (const message of conversation.messages) for (const part of message.parts) chars += partChars(part);
  for (const tool of conversation.tools) chars += JSON.stringify(tool).length;
  return estimateTokens(chars);
}

export function planReply(
  answer: FakeAnswer,
  conversation: FakeConversation,
  newToolCallId: () => string,
): PlannedReply {
  const text = answer.text ?? "";
  const reasoning = answer.reasoning ?? "";
  const toolCalls = (answer.toolCalls ?? []).map((call) => {
    const argumentsJson =
      typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments ?? {});
    return {
      id: call.id ?? newToolCallId(),
      name: call.name,
      argumentsJson,
      arguments: parseArguments(argumentsJson),
    };
  });
  const generated =
    text.length + reasoning.length + toolCalls.reduce((n, c) => n + c.argumentsJson.length, 0);
  const output = answer.usage?.output ?? estimateTokens(generated);
  const usage: PlannedUsage = {
    input: answer.usage?.input ?? promptTokens(conversation),
    cached: answer.usage?.cached ?? 0,
    output,
    reasoning: Math.min(output, estimateTokens(reasoning.length)),
  };
  const finish = answer.finish === "length" ? "length" : toolCalls.length > 0 ? "tool_calls" : "stop";
  return { text, reasoning, toolCalls, finish, usage };
}

/** The reply as the next request would carry it back, for APIs that keep conversations server-side. */
export function plannedMessage(plan: PlannedReply): FakeMessage {
  const parts: FakePart[] = [];
  if (plan.text !== "") parts.push({ type: "text", text: plan.text });
  for (const call of plan.toolCalls) {
    parts.push({ type: "tool_call", id: call.id, name: call.name, arguments: call.arguments });
  }
  return { role: "assistant", parts };
}

/** Splits streamed text into small pieces so clients see several deltas, as they would from a real model. */
export function chunks(value: string, size = 16): string[] {
  const chars = Array.from(value);
  const pieces: string[] = [];
  for (let i = 0; i < chars.length; i += size) pieces.push(chars.slice(i, i + size).join(""));
  return pieces;
}
