// Server-sent Messages events folded into the final Message, keeping tool input the model cut off or garbled.
import type { Message, RawMessageStreamEvent } from "@anthropic-ai/sdk/resources/messages";
import { parseToolArguments } from "../../model/tool-arguments.ts";

/**
 * The message the events describe. Unlike the SDK's MessageStream (whose partial-JSON parser throws on invalid
 * tool input and "completes" truncated input), a tool_use whose JSON does not parse keeps the raw text as its
 * `input`, so the loop can answer it with an error instead of running half a command.
 */
export async function accumulateStream(events: AsyncIterable<RawMessageStreamEvent>): Promise<Message> {
  let message: Message | undefined;
  const json = new Map<number, string>();
  let stopped = false;
  for await (const event of events) {
    if (event.type === "message_start") {
      message = { ...event.message, content: [...event.message.content], usage: { ...event.message.usage } };
      continue;
    }
    if (!message) throw new Error(`Anthropic stream sent '${event.type}' before 'message_start'`);
    switch (event.type) {
      case "content_block_start":
        message.content[event.index] = { ...event.content_block };
        break;
      case "content_block_delta": {
        const block = message.content[event.index];
        const delta = event.delta;
        if (delta.type === "input_json_delta")
          json.set(event.index, (json.get(event.index) ?? "") + delta.partial_json);
        else if (delta.type === "text_delta" && block?.type === "text") block.text += delta.text;
        else if (delta.type === "thinking_delta" && block?.type === "thinking")
          block.thinking += delta.thinking;
        else if (delta.type === "signature_delta" && block?.type === "thinking")
          block.signature = delta.signature;
        else if (delta.type === "citations_delta" && block?.type === "text") {
          block.citations = [...(block.citations ?? []), delta.citation];
        }
        break;
      }
      case "content_block_stop":
        break;
      case "message_delta": {
        message.stop_reason = event.delta.stop_reason;
        message.stop_sequence = event.delta.stop_sequence;
        message.stop_details = event.delta.stop_details ?? null;
        // Counters in message_delta are whole-message totals, present only when they apply: overwrite, never add.
        const { usage } = event;
        message.usage.output_tokens = usage.output_tokens;
        if (usage.input_tokens != null) message.usage.input_tokens = usage.input_tokens;
        if (usage.cache_read_input_tokens != null)
          message.usage.cache_read_input_tokens = usage.cache_read_input_tokens;
        if (usage.cache_creation_input_tokens != null) {
          message.usage.cache_creation_input_tokens = usage.cache_creation_input_tokens;
        }
        break;
      }
      case "message_stop":
        stopped = true;
        break;
    }
  }
  if (!message || !stopped) throw new Error("Anthropic stream ended before 'message_stop' (connection cut?)");
  for (const [index, text] of json) {
    const block = message.content[index];
    if (block?.type === "tool_use") block.input = parseToolArguments(text);
  }
  message.content = message.content.filter((block) => block !== undefined);
  return message;
}
