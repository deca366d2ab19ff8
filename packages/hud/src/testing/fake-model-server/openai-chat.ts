// OpenAI Chat Completions (`POST /v1/chat/completions`): request → conversation, reply → completion or chunks.
import type { FakeConversation, FakePart, FakeTool } from "./conversation.ts";
import { joinSystem, MessageList } from "./message-list.ts";
import { openaiError } from "./openai-error.ts";
import type { IdSource, ProviderApi, ReadConversation, WireReply } from "./provider-api.ts";
import { chunks, type PlannedReply } from "./reply-plan.ts";
import type { SseEvent } from "./sse.ts";
import {
  count,
  imageFromUrl,
  isObject,
  type JsonObject,
  joinedText,
  objects,
  parseArguments,
  requiredArray,
  requiredText,
  text,
  WireError,
} from "./wire-values.ts";

function userParts(content: unknown): FakePart[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  const out: FakePart[] = [];
  for (const part of objects(content)) {
    if (part.type === "text") out.push({ type: "text", text: text(part.text) ?? "" });
    else if (part.type === "image_url" && isObject(part.image_url)) {
      out.push({ type: "image", ...imageFromUrl(text(part.image_url.url) ?? "") });
    }
  }
  return out;
}

function assistantParts(message: JsonObject): FakePart[] {
  const out: FakePart[] = [];
  const said = joinedText(message.content ?? "", ["text", "refusal"]);
  if (said !== "") out.push({ type: "text", text: said });
  for (const call of objects(message.tool_calls)) {
    const fn = isObject(call.function) ? call.function : {};
    out.push({
      type: "tool_call",
      id: text(call.id) ?? "",
      name: text(fn.name) ?? "",
      arguments: parseArguments(fn.arguments),
    });
  }
  return out;
}

/** Tools come from `tools` (where the Python SDK's `extra_body.tools` lands too) or legacy `functions`. */
function tools(body: JsonObject): FakeTool[] {
  const fromFunction = (fn: JsonObject): FakeTool => {
    const description = text(fn.description);
    return {
      name: text(fn.name) ?? "",
      kind: "function",
      ...(description ? { description } : {}),
      parameters: fn.parameters,
    };
  };
  const out = objects(body.tools).map((tool): FakeTool => {
    if (tool.type === "function" && isObject(tool.function)) return fromFunction(tool.function);
    const own = isObject(tool[String(tool.type)]) ? (tool[String(tool.type)] as JsonObject) : {};
    return { name: text(own.name) ?? String(tool.type), kind: String(tool.type) };
  });
  return [...out, ...objects(body.functions).map(fromFunction)];
}

function read(body: JsonObject): ReadConversation {
  const model = requiredText(body, "model");
  const list = new MessageList();
  const system: string[] = [];
  for (const message of requiredArray(body, "messages")) {
    if (!isObject(message)) throw new WireError(400, "messages: each message must be an object");
    const role = message.role;
    if (role === "system" || role === "developer") system.push(joinedText(message.content, ["text"]));
    else if (role === "user") list.push("user", ...userParts(message.content));
    else if (role === "assistant") list.push("assistant", ...assistantParts(message));
    else if (role === "tool") {
      const id = text(message.tool_call_id) ?? "";
      list.push("user", { type: "tool_result", id, text: joinedText(message.content ?? "", ["text"]) });
    } else if (role !== "function")
      throw new WireError(400, `messages: unexpected role ${JSON.stringify(role)}`);
  }
  return {
    model,
    system: joinSystem(system),
    messages: list.finish(),
    tools: tools(body),
    stream: body.stream === true,
    maxTokens: count(body.max_completion_tokens) ?? count(body.max_tokens),
  };
}

function usage(plan: PlannedReply) {
  const { input, cached, output, reasoning } = plan.usage;
  return {
    prompt_tokens: input,
    completion_tokens: output,
    total_tokens: input + output,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function envelope(id: string, model: string, object: string) {
  return {
    id,
    object,
    created: Math.floor(Date.now() / 1000),
    model,
    service_tier: "default",
    system_fingerprint: "fp_fake",
  };
}

/** `reasoning_content` is the field OpenAI-compatible servers (vLLM, DeepSeek) use; OpenAI itself sends none. */
function completion(id: string, model: string, plan: PlannedReply) {
  const toolCalls = plan.toolCalls.map((call) => ({
    id: call.id,
    type: "function",
    function: { name: call.name, arguments: call.argumentsJson },
  }));
  const message = {
    role: "assistant",
    content: plan.text === "" && toolCalls.length > 0 ? null : plan.text,
    refusal: null,
    annotations: [],
    ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
    ...(plan.reasoning !== "" ? { reasoning_content: plan.reasoning } : {}),
  };
  return {
    ...envelope(id, model, "chat.completion"),
    choices: [{ index: 0, message, logprobs: null, finish_reason: plan.finish }],
    usage: usage(plan),
  };
}

function streamEvents(id: string, model: string, plan: PlannedReply, includeUsage: boolean): SseEvent[] {
  const base = envelope(id, model, "chat.completion.chunk");
  const chunk = (delta: JsonObject, finish: string | null = null): SseEvent => ({
    data: {
      ...base,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(includeUsage ? { usage: null } : {}),
    },
  });
  const events = [chunk({ role: "assistant", content: "", refusal: null })];
  for (const piece of chunks(plan.reasoning)) events.push(chunk({ reasoning_content: piece }));
  for (const piece of chunks(plan.text)) events.push(chunk({ content: piece }));
  plan.toolCalls.forEach((call, index) => {
    const fn = { name: call.name, arguments: "" };
    events.push(chunk({ tool_calls: [{ index, id: call.id, type: "function", function: fn }] }));
    for (const piece of chunks(call.argumentsJson, 32)) {
      events.push(chunk({ tool_calls: [{ index, function: { arguments: piece } }] }));
    }
  });
  events.push(chunk({}, plan.finish));
  if (includeUsage) events.push({ data: { ...base, choices: [], usage: usage(plan) } });
  events.push({ data: "[DONE]" });
  return events;
}

export function openaiChatApi(ids: IdSource): ProviderApi {
  return {
    api: "openai-chat",
    read,
    answer(plan: PlannedReply, conversation: FakeConversation): WireReply {
      const id = ids.next("chatcmpl-fake");
      if (!conversation.stream) return { kind: "json", body: completion(id, conversation.model, plan) };
      const body = conversation.body as JsonObject;
      const includeUsage = isObject(body.stream_options) && body.stream_options.include_usage === true;
      return { kind: "sse", events: streamEvents(id, conversation.model, plan, includeUsage) };
    },
    error: openaiError,
    newToolCallId: () => ids.next("call_"),
  };
}
