// The neutral conversation as Anthropic Messages request fields: `system` and user/assistant `messages`.
import type {
  Base64ImageSource,
  ContentBlockParam,
  ImageBlockParam,
  MessageParam,
  TextBlockParam,
  ToolResultBlockParam,
} from "@anthropic-ai/sdk/resources/messages";
import type {
  AssistantMessage,
  ContentPart,
  ConversationMessage,
  ToolResultsMessage,
} from "../../model/conversation.ts";
import { storedContent } from "./native-content.ts";

export interface AnthropicPrompt {
  system?: string;
  messages: MessageParam[];
}

type ImageMediaType = Base64ImageSource["media_type"];

function imageBlock(part: Extract<ContentPart, { type: "image" }>): ImageBlockParam {
  return {
    type: "image",
    source: { type: "base64", media_type: part.mediaType as ImageMediaType, data: part.data },
  };
}

function userBlocks(parts: readonly ContentPart[]): (TextBlockParam | ImageBlockParam)[] {
  return parts.map((part) => (part.type === "text" ? { type: "text", text: part.text } : imageBlock(part)));
}

/** One `tool_result` per call; an error keeps only its first text, prefixed, as the reference SDK sends it. */
function toolResultBlocks(message: ToolResultsMessage): ToolResultBlockParam[] {
  return message.results.map(({ call, output }) => {
    const block: ToolResultBlockParam = { type: "tool_result", tool_use_id: call.id };
    if (output.isError) {
      const first = output.content.find((part) => part.type === "text");
      block.content = [{ type: "text", text: `Error: ${first?.text || "Tool execution failed"}` }];
      block.is_error = true;
      return block;
    }
    // The API rejects empty text blocks; a result with nothing left is sent without content.
    const content = userBlocks(output.content.filter((part) => part.type !== "text" || part.text !== ""));
    if (content.length > 0) block.content = content;
    return block;
  });
}

function assistantBlocks(message: AssistantMessage): ContentBlockParam[] {
  const stored = storedContent(message);
  if (stored) return stored.map((block) => ({ ...block }));
  const blocks: ContentBlockParam[] = [];
  if (message.text !== "") blocks.push({ type: "text", text: message.text });
  for (const call of message.toolCalls) {
    const input = typeof call.arguments === "string" ? {} : call.arguments;
    blocks.push({ type: "tool_use", id: call.id, name: call.name, input });
  }
  return blocks;
}

function blocksOf(message: ConversationMessage): ContentBlockParam[] {
  switch (message.role) {
    case "user":
      return userBlocks(message.content);
    case "tool":
      return toolResultBlocks(message);
    case "assistant":
      return assistantBlocks(message);
  }
}

/**
 * Consecutive turns of one role become one message (tool results stay first, as the API requires), empty
 * turns are dropped, and the last user message's last block is marked for prompt caching, so each call reads
 * the prefix the previous one wrote.
 */
export function convertMessages(messages: readonly ConversationMessage[], system?: string): AnthropicPrompt {
  const out: { role: "user" | "assistant"; content: ContentBlockParam[] }[] = [];
  for (const message of messages) {
    const content = blocksOf(message);
    if (content.length === 0) continue;
    const role = message.role === "assistant" ? "assistant" : "user";
    const last = out.at(-1);
    if (last?.role === role) last.content.push(...content);
    else out.push({ role, content });
  }
  const lastUser = out.findLast((message) => message.role === "user");
  const lastBlock = lastUser?.content.at(-1);
  if (lastBlock) Object.assign(lastBlock, { cache_control: { type: "ephemeral" } });
  return system ? { system, messages: out } : { messages: out };
}
