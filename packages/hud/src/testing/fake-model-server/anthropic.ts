// Anthropic Messages (`POST /v1/messages`): request → conversation, reply → Message or its SSE event stream.
import type { FakeConversation, FakeImage, FakePart, FakeTool } from "./conversation.ts";
import { joinSystem, MessageList } from "./message-list.ts";
import type { IdSource, ProviderApi, ReadConversation, WireReply } from "./provider-api.ts";
import { chunks, type PlannedReply } from "./reply-plan.ts";
import type { SseEvent } from "./sse.ts";
import {
  count,
  isObject,
  type JsonObject,
  joinedText,
  objects,
  requiredArray,
  requiredText,
  text,
  WireError,
} from "./wire-values.ts";

const ERROR_TYPES: Record<number, string> = {
  400: "invalid_request_error",
  401: "authentication_error",
  402: "billing_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  500: "api_error",
  504: "timeout_error",
  529: "overloaded_error",
};

function image(block: JsonObject): FakeImage | undefined {
  const source = isObject(block.source) ? block.source : {};
  if (source.type === "base64")
    return { mediaType: text(source.media_type) ?? "", data: text(source.data) ?? "" };
  if (source.type === "url") return { mediaType: "", data: "", url: text(source.url) ?? "" };
  return undefined;
}

function toolResult(block: JsonObject): FakePart {
  const content = block.content;
  const images = objects(content)
    .filter((part) => part.type === "image")
    .map(image)
    .filter((img) => img !== undefined);
  return {
    type: "tool_result",
    id: text(block.tool_use_id) ?? "",
    text: joinedText(content ?? "", ["text"]),
    ...(block.is_error === true ? { isError: true } : {}),
    ...(images.length > 0 ? { images } : {}),
  };
}

function parts(content: unknown): FakePart[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  const out: FakePart[] = [];
  for (const block of objects(content)) {
    if (block.type === "text") out.push({ type: "text", text: text(block.text) ?? "" });
    else if (block.type === "image") {
      const img = image(block);
      if (img) out.push({ type: "image", ...img });
    } else if (block.type === "tool_use") {
      out.push({
        type: "tool_call",
        id: text(block.id) ?? "",
        name: text(block.name) ?? "",
        arguments: block.input,
      });
    } else if (block.type === "tool_result") out.push(toolResult(block));
  }
  return out;
}

function tool(entry: JsonObject): FakeTool {
  const type = text(entry.type);
  const name = text(entry.name) ?? type ?? "";
  if (type === undefined || type === "custom") {
    const description = text(entry.description);
    return {
      name,
      kind: "function",
      ...(description ? { description } : {}),
      parameters: entry.input_schema,
    };
  }
  return { name, kind: type };
}

function read(body: JsonObject): ReadConversation {
  const model = requiredText(body, "model");
  const maxTokens = count(body.max_tokens);
  if (maxTokens === undefined) throw new WireError(400, "max_tokens: Field required");
  const list = new MessageList();
  const system: (string | undefined)[] = [joinedText(body.system ?? "", ["text"])];
  for (const message of requiredArray(body, "messages")) {
    if (!isObject(message)) throw new WireError(400, "messages: each message must be an object");
    if (message.role === "system") system.push(joinedText(message.content, ["text"]));
    else if (message.role === "user" || message.role === "assistant")
      list.push(message.role, ...parts(message.content));
    else throw new WireError(400, `messages: unexpected role ${JSON.stringify(message.role)}`);
  }
  return {
    model,
    system: joinSystem(system),
    messages: list.finish(),
    tools: objects(body.tools).map(tool),
    stream: body.stream === true,
    maxTokens,
  };
}

const STOP_REASONS = { stop: "end_turn", length: "max_tokens", tool_calls: "tool_use" } as const;

function usage(plan: PlannedReply) {
  const { input, cached, output, reasoning } = plan.usage;
  return {
    input_tokens: Math.max(0, input - cached),
    output_tokens: output,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
    cache_creation: { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: 0 },
    output_tokens_details: reasoning > 0 ? { thinking_tokens: reasoning } : null,
    server_tool_use: null,
    service_tier: "standard",
    inference_geo: null,
    speed: null,
  };
}

/** The content blocks; a raw-string tool input goes out as that string (what a client has to cope with). */
function blocks(plan: PlannedReply, signature: string): JsonObject[] {
  const out: JsonObject[] = [];
  if (plan.reasoning !== "") out.push({ type: "thinking", thinking: plan.reasoning, signature });
  if (plan.text !== "") out.push({ type: "text", text: plan.text, citations: null });
  for (const call of plan.toolCalls) {
    out.push({
      type: "tool_use",
      id: call.id,
      name: call.name,
      input: call.arguments,
      caller: { type: "direct" },
    });
  }
  return out;
}

function message(id: string, model: string, content: JsonObject[], plan: PlannedReply, done: boolean) {
  return {
    id,
    type: "message",
    role: "assistant",
    model,
    content,
    stop_reason: done ? STOP_REASONS[plan.finish] : null,
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage: done ? usage(plan) : { ...usage(plan), output_tokens: 0, output_tokens_details: null },
  };
}

/** Each block opens empty and is filled by deltas, the way the API streams it. */
function blockEvents(block: JsonObject, index: number, plan: PlannedReply): SseEvent[] {
  const events: SseEvent[] = [];
  const delta = (d: JsonObject) =>
    events.push({ event: "content_block_delta", data: { type: "content_block_delta", index, delta: d } });
  if (block.type === "thinking") {
    events.push(start(index, { type: "thinking", thinking: "", signature: "" }));
    for (const piece of chunks(String(block.thinking))) delta({ type: "thinking_delta", thinking: piece });
    delta({ type: "signature_delta", signature: block.signature });
  } else if (block.type === "text") {
    events.push(start(index, { type: "text", text: "", citations: null }));
    for (const piece of chunks(String(block.text))) delta({ type: "text_delta", text: piece });
  } else {
    events.push(start(index, { ...block, input: {} }));
    const json = plan.toolCalls.find((call) => call.id === block.id)?.argumentsJson ?? "";
    for (const piece of chunks(json, 32)) delta({ type: "input_json_delta", partial_json: piece });
  }
  events.push({ event: "content_block_stop", data: { type: "content_block_stop", index } });
  return events;
}

function start(index: number, contentBlock: JsonObject): SseEvent {
  return {
    event: "content_block_start",
    data: { type: "content_block_start", index, content_block: contentBlock },
  };
}

function streamEvents(id: string, model: string, content: JsonObject[], plan: PlannedReply): SseEvent[] {
  const final = usage(plan);
  return [
    { event: "message_start", data: { type: "message_start", message: message(id, model, [], plan, false) } },
    { event: "ping", data: { type: "ping" } },
    ...content.flatMap((block, index) => blockEvents(block, index, plan)),
    {
      event: "message_delta",
      data: {
        type: "message_delta",
        delta: {
          stop_reason: STOP_REASONS[plan.finish],
          stop_sequence: null,
          stop_details: null,
          container: null,
        },
        usage: {
          input_tokens: final.input_tokens,
          output_tokens: final.output_tokens,
          cache_creation_input_tokens: final.cache_creation_input_tokens,
          cache_read_input_tokens: final.cache_read_input_tokens,
          output_tokens_details: final.output_tokens_details,
          server_tool_use: null,
        },
      },
    },
    { event: "message_stop", data: { type: "message_stop" } },
  ];
}

export function anthropicApi(ids: IdSource): ProviderApi {
  return {
    api: "anthropic",
    read,
    answer(plan: PlannedReply, conversation: FakeConversation): WireReply {
      const id = ids.next("msg_fake_");
      const content = blocks(plan, Buffer.from(`fake-signature:${id}`).toString("base64"));
      return conversation.stream
        ? { kind: "sse", events: streamEvents(id, conversation.model, content, plan) }
        : { kind: "json", body: message(id, conversation.model, content, plan, true) };
    },
    error(status: number, message: string) {
      const type = ERROR_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
      return { type: "error", error: { type, message }, request_id: null };
    },
    newToolCallId: () => ids.next("toolu_fake_"),
  };
}
