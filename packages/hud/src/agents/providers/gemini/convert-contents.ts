// The neutral conversation as Gemini `contents`: user and tool turns as role "user", assistant turns as role
// "model". A model turn this adapter recorded goes back exactly as Gemini sent it, because Gemini 3 rejects
// function calls whose thought signatures were dropped.
import type { Content, Part } from "@google/genai";
import {
  type AssistantMessage,
  type ContentPart,
  type ConversationMessage,
  type ToolResultsMessage,
  textOf,
} from "../../model/conversation.ts";

/** The `native.provider` of turns recorded by this adapter. */
export const GEMINI_PROVIDER = "gemini";

/** Tool-result images survive only in this many of the latest image-bearing tool turns: old screenshots only cost tokens. */
export const IMAGE_TURNS_KEPT = 3;

function userPart(part: ContentPart): Part {
  return part.type === "text"
    ? { text: part.text }
    : { inlineData: { mimeType: part.mediaType, data: part.data } };
}

/** The model's own parts (thought signatures included) when this adapter recorded the turn. */
export function nativeParts(message: AssistantMessage): Part[] | undefined {
  if (message.native?.provider !== GEMINI_PROVIDER) return undefined;
  const parts = (message.native.value as { parts?: unknown } | null | undefined)?.parts;
  return Array.isArray(parts) ? (parts as Part[]) : undefined;
}

/**
 * A turn from elsewhere (another provider, a replay) rebuilt from its text and calls. Its reasoning is left
 * out (Gemini cannot verify another model's thoughts) and so are its call ids, which Gemini did not issue.
 */
function rebuiltParts(message: AssistantMessage): Part[] {
  const parts: Part[] = [];
  if (message.text !== "") parts.push({ text: message.text });
  for (const call of message.toolCalls) {
    // Unparsed arguments were never executed; Gemini needs an object, so it gets an empty one.
    const args = typeof call.arguments === "string" ? {} : call.arguments;
    parts.push({ functionCall: { name: call.name, args } });
  }
  return parts;
}

function hasImage(message: ToolResultsMessage): boolean {
  return message.results.some(({ output }) => output.content.some((part) => part.type === "image"));
}

/** Gemini's function response: `{error}` on failure, `{success, output}` otherwise (the reference's shape). */
function toolResultsContent(
  message: ToolResultsMessage,
  issuedIds: Set<string>,
  withImages: boolean,
): Content {
  const parts: Part[] = message.results.map(({ call, output }) => {
    const text = textOf(output.content);
    const response = output.isError ? { error: text } : { success: true, output: text };
    // An id goes back only when Gemini issued it; ids we generated would match nothing on its side.
    const id = issuedIds.has(call.id) ? { id: call.id } : {};
    return { functionResponse: { ...id, name: call.name, response } };
  });
  if (withImages) {
    for (const { output } of message.results) {
      for (const part of output.content) if (part.type === "image") parts.push(userPart(part));
    }
  }
  return { role: "user", parts };
}

export function convertContents(messages: readonly ConversationMessage[]): Content[] {
  const imageTurns = messages.filter((m): m is ToolResultsMessage => m.role === "tool" && hasImage(m));
  const keptImageTurns = new Set(imageTurns.slice(-IMAGE_TURNS_KEPT));
  const issuedIds = new Set<string>();
  const contents: Content[] = [];
  for (const message of messages) {
    if (message.role === "user") {
      contents.push({ role: "user", parts: message.content.map(userPart) });
    } else if (message.role === "assistant") {
      const parts = nativeParts(message) ?? rebuiltParts(message);
      for (const part of parts) if (part.functionCall?.id) issuedIds.add(part.functionCall.id);
      // Gemini rejects a content without parts; an empty turn (e.g. cut at zero tokens) says nothing anyway.
      if (parts.length > 0) contents.push({ role: "model", parts });
    } else {
      contents.push(toolResultsContent(message, issuedIds, keptImageTurns.has(message)));
    }
  }
  return contents;
}
