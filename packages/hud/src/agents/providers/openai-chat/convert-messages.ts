// The provider-neutral conversation as Chat Completions messages, shaped the way the Python SDK's
// OpenAI-compatible agent sends them (python-sdk.md §4.4), so servers see the same history from either SDK.
import type {
  ChatCompletionAssistantMessageParam,
  ChatCompletionContentPart,
  ChatCompletionContentPartImage,
  ChatCompletionMessageParam,
} from "openai/resources/chat/completions";
import type {
  AssistantMessage,
  ContentPart,
  ConversationMessage,
  ToolResultsMessage,
  UserMessage,
} from "../../model/conversation.ts";
import { memoByIdentity } from "../../model/memo-by-identity.ts";
import { OPENAI_CHAT_PROVIDER } from "./provider-name.ts";

/** The text a tool message carries when the tool returned no text (the reference's words). */
export const EMPTY_TOOL_RESULT = "Tool executed successfully";
/** The user message that carries a tool's image, since `tool` messages take text only on most servers. */
export const TOOL_IMAGE_LEAD = "Tool returned the following:";

function imagePart(part: Extract<ContentPart, { type: "image" }>): ChatCompletionContentPartImage {
  return { type: "image_url", image_url: { url: `data:${part.mediaType};base64,${part.data}` } };
}

function userMessage(message: UserMessage): ChatCompletionMessageParam {
  const [only] = message.content;
  // A plain string suits every server and chat template; part lists only when there is more than one text.
  if (message.content.length === 1 && only?.type === "text") return { role: "user", content: only.text };
  const content: ChatCompletionContentPart[] = message.content.map((part) =>
    part.type === "text" ? { type: "text", text: part.text } : imagePart(part),
  );
  return { role: "user", content };
}

/**
 * Unparseable arguments are replayed as `{}`: vLLM and other servers json-parse every replayed tool call to
 * render their chat template and reject the whole request otherwise. The model still sees its mistake in the
 * tool message that answers the call.
 */
function argumentsText(args: Record<string, unknown> | string): string {
  return typeof args === "string" ? "{}" : JSON.stringify(args);
}

/** Fields this adapter recorded from the server's reply (its reasoning field) go back as they came. */
function nativeFields(message: AssistantMessage): Record<string, unknown> {
  const native = message.native;
  if (native?.provider !== OPENAI_CHAT_PROVIDER) return {};
  const value = native.value;
  return typeof value === "object" && value !== null && !Array.isArray(value) ? { ...value } : {};
}

function assistantMessage(message: AssistantMessage): ChatCompletionAssistantMessageParam {
  const out: ChatCompletionAssistantMessageParam = {
    role: "assistant",
    // null only beside tool calls: some servers reject an assistant message with neither.
    content: message.text === "" && message.toolCalls.length > 0 ? null : message.text,
  };
  if (message.toolCalls.length > 0) {
    out.tool_calls = message.toolCalls.map((call) => ({
      id: call.id,
      type: "function",
      function: { name: call.name, arguments: argumentsText(call.arguments) },
    }));
  }
  return { ...nativeFields(message), ...out };
}

/**
 * One `tool` message per call; then, when any result had images, one user message with the last of them.
 * It comes after all the tool messages because a user message between them breaks the call/result pairing.
 */
function toolMessages(message: ToolResultsMessage): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [];
  let lastImage: Extract<ContentPart, { type: "image" }> | undefined;
  for (const { call, output } of message.results) {
    const text = output.content
      .filter((p): p is Extract<ContentPart, { type: "text" }> => p.type === "text")
      .map((p) => p.text)
      .join("");
    for (const part of output.content) if (part.type === "image") lastImage = part;
    out.push({ role: "tool", tool_call_id: call.id, content: text === "" ? EMPTY_TOOL_RESULT : text });
  }
  if (lastImage) {
    out.push({ role: "user", content: [{ type: "text", text: TOOL_IMAGE_LEAD }, imagePart(lastImage)] });
  }
  return out;
}

/**
 * One conversation message as Chat Completions messages. Each depends on its message alone, so it is made once
 * per message rather than once per call: a conversation of n turns converts n messages, not n²/2.
 */
const converted = memoByIdentity((message: ConversationMessage): ChatCompletionMessageParam[] => {
  if (message.role === "user") return [userMessage(message)];
  if (message.role === "assistant") return [assistantMessage(message)];
  return toolMessages(message);
});

/** The request's `messages`: a system message first when there is a system prompt, then the conversation. */
export function convertMessages(
  messages: readonly ConversationMessage[],
  system?: string,
): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [];
  if (system !== undefined && system !== "") out.push({ role: "system", content: system });
  for (const message of messages) for (const item of converted(message)) out.push(item);
  return out;
}
