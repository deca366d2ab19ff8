// A Chat Completions response as one model turn: text, reasoning, tool calls, finish reason and usage.
import { randomUUID } from "node:crypto";
import type { ChatCompletion, ChatCompletionMessage } from "openai/resources/chat/completions";
import { HudError } from "../../../protocol/errors.ts";
import type { ModelToolCall } from "../../model/conversation.ts";
import type { ModelTurn } from "../../model/model-client.ts";
import { parseToolArguments } from "../../model/tool-arguments.ts";
import { convertUsage } from "./convert-usage.ts";
import { mapFinishReason } from "./map-finish-reason.ts";
import { OPENAI_CHAT_PROVIDER } from "./provider-name.ts";

/** Fields servers add to the official ones: vLLM/DeepSeek/Kimi `reasoning_content`, OpenRouter/Ollama `reasoning`. */
type WireMessage = Partial<ChatCompletionMessage> & {
  reasoning_content?: unknown;
  reasoning?: unknown;
  reasoning_details?: unknown;
};

/** Reasoning fields sent back verbatim on the next call, as the Python SDK does: servers that emit them use them. */
const ECHOED = ["reasoning_content", "reasoning", "reasoning_details"] as const;

/**
 * Servers without a reasoning parser (vLLM without `--reasoning-parser`, llama.cpp's default) put the model's
 * thinking in the content as `<think>…</think>`; templates that open the tag in the prompt leave only the
 * closing one. Split it off so the answer a grader sees is the answer.
 */
export function splitThinking(content: string): { text: string; reasoning?: string } {
  const open = /^\s*<think>/.exec(content);
  const close = content.indexOf("</think>");
  if (close < 0 || (!open && content.includes("<think>"))) return { text: content };
  const start = open ? open[0].length : 0;
  return {
    text: content.slice(close + "</think>".length).trimStart(),
    reasoning: content.slice(start, close).trim(),
  };
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  // A few servers answer with a part list, as requests may carry.
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) =>
        typeof (part as { text?: unknown })?.text === "string" ? (part as { text: string }).text : "",
      )
      .join("");
  }
  return "";
}

function toolCalls(message: WireMessage, newId: () => string): ModelToolCall[] {
  const calls: ModelToolCall[] = [];
  for (const call of message.tool_calls ?? []) {
    if (call.type !== "function" && call.type !== undefined) continue;
    const fn = (call as { function?: { name?: unknown; arguments?: unknown } }).function;
    if (typeof fn?.name !== "string") continue;
    const raw: unknown = fn.arguments;
    // Early Ollama and some proxies send the arguments as an object rather than JSON text.
    const args =
      typeof raw === "object" && raw !== null && !Array.isArray(raw)
        ? (raw as Record<string, unknown>)
        : parseToolArguments(typeof raw === "string" ? raw : "");
    // llama.cpp and some gateways leave ids empty; the reply must still name its call.
    calls.push({
      id: typeof call.id === "string" && call.id !== "" ? call.id : newId(),
      name: fn.name,
      arguments: args,
    });
  }
  return calls;
}

/** The turn a response carries; a one-line HudError when it carries none (an error body sent with a 200). */
export function mapResponse(
  response: ChatCompletion,
  requestedModel: string,
  newId: () => string = () => `call_${randomUUID().replaceAll("-", "").slice(0, 24)}`,
): ModelTurn {
  const choice = response.choices?.[0];
  if (!choice?.message) {
    const error = (response as { error?: { message?: unknown } }).error;
    const detail = typeof error?.message === "string" ? `: ${error.message}` : "";
    throw new HudError(`the OpenAI-compatible server returned no choices${detail}`);
  }
  const message = choice.message as WireMessage;
  let text = contentText(message.content);
  let reasoning = [message.reasoning_content, message.reasoning].find(
    (r): r is string => typeof r === "string" && r !== "",
  );
  if (reasoning === undefined) ({ text, reasoning } = splitThinking(text));
  if (text === "" && typeof message.refusal === "string") text = message.refusal;
  const echoed: Record<string, unknown> = {};
  for (const field of ECHOED)
    if (message[field] !== undefined && message[field] !== null && message[field] !== "")
      echoed[field] = message[field];
  const calls = toolCalls(message, newId);
  const providerFinishReason = typeof choice.finish_reason === "string" ? choice.finish_reason : undefined;
  return {
    message: {
      role: "assistant",
      text,
      ...(reasoning === undefined ? {} : { reasoning }),
      toolCalls: calls,
      ...(Object.keys(echoed).length > 0
        ? { native: { provider: OPENAI_CHAT_PROVIDER, value: echoed } }
        : {}),
    },
    finishReason: mapFinishReason(providerFinishReason, calls.length > 0),
    ...(providerFinishReason === undefined ? {} : { providerFinishReason }),
    usage: convertUsage(response.usage),
    model: typeof response.model === "string" && response.model !== "" ? response.model : requestedModel,
  };
}
