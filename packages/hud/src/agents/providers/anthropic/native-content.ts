// The assistant turn as Claude wrote it, kept in AssistantMessage.native so it goes back to the API verbatim.
import type { ContentBlock, ContentBlockParam } from "@anthropic-ai/sdk/resources/messages";
import type { AssistantMessage } from "../../model/conversation.ts";

export const ANTHROPIC_PROVIDER = "anthropic";

/**
 * The response's blocks as request blocks, in order. Thinking blocks must return with their signatures intact
 * (and before the tool_use they led to), which the neutral text/toolCalls cannot carry. Server-side tool blocks
 * are dropped: this adapter offers no server tools.
 */
export function nativeContent(blocks: readonly ContentBlock[]): ContentBlockParam[] {
  const out: ContentBlockParam[] = [];
  for (const block of blocks) {
    switch (block.type) {
      case "text":
        if (block.text !== "") out.push({ type: "text", text: block.text });
        break;
      case "thinking":
        out.push({ type: "thinking", thinking: block.thinking, signature: block.signature });
        break;
      case "redacted_thinking":
        out.push({ type: "redacted_thinking", data: block.data });
        break;
      case "tool_use":
        // Unparseable input (kept as its raw string) goes back as {}: the API takes only objects, and the
        // tool result already tells the model what arrived.
        out.push({
          type: "tool_use",
          id: block.id,
          name: block.name,
          input: isObject(block.input) ? block.input : {},
        });
        break;
      default:
        break;
    }
  }
  return out;
}

/** The blocks this adapter stored on a message, or undefined for a message from elsewhere. */
export function storedContent(message: AssistantMessage): ContentBlockParam[] | undefined {
  const native = message.native;
  if (native?.provider !== ANTHROPIC_PROVIDER || !Array.isArray(native.value)) return undefined;
  return native.value as ContentBlockParam[];
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
