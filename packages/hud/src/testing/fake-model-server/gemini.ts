// Gemini (`POST /{v1,v1beta,v1alpha}/models/{model}:generateContent` and `:streamGenerateContent`).
import type { FakeConversation, FakeImage, FakePart, FakeTool } from "./conversation.ts";
import { joinSystem, MessageList } from "./message-list.ts";
import type { IdSource, ProviderApi, ReadConversation, RouteParams, WireReply } from "./provider-api.ts";
import { chunks, type PlannedReply } from "./reply-plan.ts";
import {
  count,
  isObject,
  type JsonObject,
  joinedText,
  objects,
  requiredArray,
  text,
  WireError,
} from "./wire-values.ts";

const STATUSES: Record<number, string> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  413: "INVALID_ARGUMENT",
  429: "RESOURCE_EXHAUSTED",
  500: "INTERNAL",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED",
};

function blob(part: JsonObject): FakeImage | undefined {
  if (isObject(part.inlineData)) {
    return { mediaType: text(part.inlineData.mimeType) ?? "", data: text(part.inlineData.data) ?? "" };
  }
  if (isObject(part.fileData)) {
    return {
      mediaType: text(part.fileData.mimeType) ?? "",
      data: "",
      url: text(part.fileData.fileUri) ?? "",
    };
  }
  return undefined;
}

/** A function response is an object; `output`/`result`/`content` strings are its text, `error` marks a failure. */
function functionResult(response: JsonObject): FakePart {
  const body = isObject(response.response) ? response.response : {};
  const error = body.error;
  const said = text(body.output) ?? text(body.result) ?? text(body.content) ?? text(error);
  const images = objects(response.parts)
    .map(blob)
    .filter((img) => img !== undefined);
  const name = text(response.name);
  return {
    type: "tool_result",
    // An id-less response is matched to its call by name (MessageList.finish).
    id: text(response.id) ?? "",
    ...(name ? { name } : {}),
    text: said ?? JSON.stringify(body),
    ...(error !== undefined && error !== null ? { isError: true } : {}),
    ...(images.length > 0 ? { images } : {}),
  };
}

function parts(content: JsonObject): FakePart[] {
  const out: FakePart[] = [];
  for (const part of objects(content.parts)) {
    if (typeof part.text === "string") {
      if (part.thought !== true) out.push({ type: "text", text: part.text });
    } else if (isObject(part.functionCall)) {
      const call = part.functionCall;
      const name = text(call.name) ?? "";
      out.push({ type: "tool_call", id: text(call.id) ?? name, name, arguments: call.args ?? {} });
    } else if (isObject(part.functionResponse)) out.push(functionResult(part.functionResponse));
    else {
      const img = blob(part);
      if (img) out.push({ type: "image", ...img });
    }
  }
  return out;
}

function tools(body: JsonObject): FakeTool[] {
  return objects(body.tools).flatMap((entry): FakeTool[] => {
    if (!Array.isArray(entry.functionDeclarations))
      return Object.keys(entry).map((kind) => ({ name: kind, kind }));
    return objects(entry.functionDeclarations).map((fn) => {
      const description = text(fn.description);
      return {
        name: text(fn.name) ?? "",
        kind: "function",
        ...(description ? { description } : {}),
        parameters: fn.parametersJsonSchema ?? fn.parameters,
      };
    });
  });
}

function read(body: JsonObject, route: RouteParams): ReadConversation {
  const list = new MessageList();
  for (const content of requiredArray(body, "contents")) {
    if (!isObject(content)) throw new WireError(400, "contents: each content must be an object");
    list.push(content.role === "model" ? "assistant" : "user", ...parts(content));
  }
  const system = isObject(body.systemInstruction)
    ? joinedText(
        objects(body.systemInstruction.parts).map((part) => ({ type: "text", ...part })),
        ["text"],
      )
    : text(body.systemInstruction);
  const config = isObject(body.generationConfig) ? body.generationConfig : {};
  return {
    model: route.model ?? "",
    system: joinSystem([system]),
    messages: list.finish(),
    tools: tools(body),
    stream: route.method === "streamGenerateContent",
    maxTokens: count(config.maxOutputTokens),
  };
}

/**
 * Gemini has no channel for unparseable arguments: the real API ends with MALFORMED_FUNCTION_CALL and
 * quotes the attempt in `finishMessage`, so a raw-string call that is not a JSON object does the same.
 */
function malformed(plan: PlannedReply) {
  return plan.toolCalls.find((call) => !isObject(call.arguments));
}

function usageMetadata(plan: PlannedReply) {
  const { input, cached, output, reasoning } = plan.usage;
  return {
    promptTokenCount: input,
    candidatesTokenCount: output - reasoning,
    totalTokenCount: input + output,
    ...(cached > 0 ? { cachedContentTokenCount: cached } : {}),
    ...(reasoning > 0 ? { thoughtsTokenCount: reasoning } : {}),
    promptTokensDetails: [{ modality: "TEXT", tokenCount: input }],
  };
}

/** The reply's parts in order, grouped as the stream sends them (one group per chunk). */
function partGroups(plan: PlannedReply, stream: boolean): JsonObject[][] {
  const split = (value: string) => (stream ? chunks(value) : value === "" ? [] : [value]);
  const groups: JsonObject[][] = [
    ...split(plan.reasoning).map((piece) => [{ text: piece, thought: true }]),
    ...split(plan.text).map((piece) => [{ text: piece }]),
  ];
  if (malformed(plan)) return groups;
  const calls = plan.toolCalls.map((call) => ({
    functionCall: { id: call.id, name: call.name, args: call.arguments },
  }));
  if (calls.length > 0) groups.push(calls);
  return groups;
}

function finishFields(plan: PlannedReply) {
  const bad = malformed(plan);
  if (bad)
    return {
      finishReason: "MALFORMED_FUNCTION_CALL",
      finishMessage: `Malformed function call: ${bad.name} ${bad.argumentsJson}`,
    };
  return { finishReason: plan.finish === "length" ? "MAX_TOKENS" : "STOP" };
}

function responses(id: string, plan: PlannedReply, conversation: FakeConversation): JsonObject[] {
  const groups = partGroups(plan, conversation.stream);
  const merged = conversation.stream ? groups : [groups.flat()];
  if (merged.length === 0) merged.push([]);
  return merged.map((group, i) => {
    const last = i === merged.length - 1;
    const candidate = {
      content: { role: "model", parts: group },
      index: 0,
      ...(last ? finishFields(plan) : {}),
    };
    return {
      candidates: [candidate],
      ...(last ? { usageMetadata: usageMetadata(plan) } : {}),
      modelVersion: conversation.model,
      responseId: id,
    };
  });
}

export function geminiApi(ids: IdSource): ProviderApi {
  return {
    api: "gemini",
    read,
    answer(plan: PlannedReply, conversation: FakeConversation, route: RouteParams): WireReply {
      const all = responses(ids.next("fake-response-"), plan, conversation);
      if (!conversation.stream) return { kind: "json", body: all[0] };
      // Without `alt=sse` the stream is one JSON array of the same chunks.
      if (route.query.get("alt") !== "sse") return { kind: "json", body: all };
      return { kind: "sse", events: all.map((data) => ({ data })) };
    },
    error(status: number, message: string) {
      const name = STATUSES[status] ?? (status >= 500 ? "UNAVAILABLE" : "FAILED_PRECONDITION");
      return { error: { code: status, message, status: name } };
    },
    newToolCallId: () => ids.next("fake-call-"),
  };
}
