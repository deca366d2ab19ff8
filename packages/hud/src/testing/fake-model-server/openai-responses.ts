// OpenAI Responses (`POST /v1/responses`): input items → conversation, with stored responses for chaining.
import type { FakeConversation, FakeImage, FakeMessage, FakePart, FakeTool } from "./conversation.ts";
import { joinSystem, MessageList } from "./message-list.ts";
import { openaiError } from "./openai-error.ts";
import { responseEvents, responseObject, responseOutput } from "./openai-responses-output.ts";
import type { IdSource, ProviderApi, ReadConversation, WireReply } from "./provider-api.ts";
import { type PlannedReply, plannedMessage } from "./reply-plan.ts";
import {
  count,
  imageFromUrl,
  isObject,
  type JsonObject,
  joinedText,
  objects,
  parseArguments,
  requiredText,
  text,
  WireError,
} from "./wire-values.ts";

/** Stored responses kept for `previous_response_id`; older ones are forgotten first. */
const STORED_RESPONSES = 1000;

function inputImages(content: unknown): FakeImage[] {
  return objects(content)
    .filter((part) => part.type === "input_image")
    .map((part) => imageFromUrl(text(part.image_url) ?? ""));
}

function messageParts(content: unknown): FakePart[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  const out: FakePart[] = [];
  for (const part of objects(content)) {
    if (part.type === "input_text" || part.type === "output_text" || part.type === "refusal") {
      out.push({ type: "text", text: text(part.text) ?? text(part.refusal) ?? "" });
    } else if (part.type === "input_image")
      out.push({ type: "image", ...imageFromUrl(text(part.image_url) ?? "") });
  }
  return out;
}

/** A shell call's output as one text: each command's stdout then stderr; an error when one failed. */
function shellResult(item: JsonObject): FakePart {
  const outputs = objects(item.output);
  const pieces = outputs
    .flatMap((out) => [text(out.stdout) ?? "", text(out.stderr) ?? ""])
    .filter((s) => s !== "");
  const failed = outputs.some((out) => {
    const outcome = isObject(out.outcome) ? out.outcome : {};
    return outcome.type === "timeout" || (outcome.type === "exit" && outcome.exit_code !== 0);
  });
  const id = text(item.call_id) ?? "";
  return {
    type: "tool_result",
    id,
    name: "shell",
    text: pieces.join("\n"),
    ...(failed ? { isError: true } : {}),
  };
}

function readItem(item: JsonObject, list: MessageList, system: string[]): void {
  const type = item.type ?? "message";
  if (type === "message") {
    const role = item.role;
    if (role === "system" || role === "developer") system.push(joinedText(item.content, ["input_text"]));
    else if (role === "user" || role === "assistant") list.push(role, ...messageParts(item.content));
    else throw new WireError(400, `input: unexpected role ${JSON.stringify(role)}`);
  } else if (type === "function_call") {
    const id = text(item.call_id) ?? "";
    const args = parseArguments(item.arguments);
    list.push("assistant", { type: "tool_call", id, name: text(item.name) ?? "", arguments: args });
  } else if (type === "function_call_output") {
    const output = item.output;
    const images = inputImages(output);
    list.push("user", {
      type: "tool_result",
      id: text(item.call_id) ?? "",
      text: joinedText(output ?? "", ["input_text"]),
      ...(images.length > 0 ? { images } : {}),
    });
  } else if (type === "shell_call") {
    const id = text(item.call_id) ?? "";
    list.push("assistant", { type: "tool_call", id, name: "shell", arguments: item.action ?? {} });
  } else if (type === "shell_call_output") list.push("user", shellResult(item));
}

function tool(entry: JsonObject): FakeTool {
  const type = String(entry.type);
  if (type !== "function") return { name: text(entry.name) ?? type, kind: type };
  const description = text(entry.description);
  return {
    name: text(entry.name) ?? "",
    kind: "function",
    ...(description ? { description } : {}),
    parameters: entry.parameters,
  };
}

export function openaiResponsesApi(ids: IdSource): ProviderApi {
  const stored = new Map<string, FakeMessage[]>();

  function earlier(body: JsonObject): FakeMessage[] {
    const previous = body.previous_response_id;
    if (previous === undefined || previous === null) return [];
    const messages = typeof previous === "string" ? stored.get(previous) : undefined;
    if (!messages) throw new WireError(400, `Previous response with id '${String(previous)}' not found.`);
    return messages;
  }

  function read(body: JsonObject): ReadConversation {
    const model = requiredText(body, "model");
    const list = new MessageList(earlier(body));
    const system = [text(body.instructions) ?? ""];
    if (typeof body.input === "string") list.push("user", { type: "text", text: body.input });
    else if (Array.isArray(body.input)) for (const item of objects(body.input)) readItem(item, list, system);
    else if (body.input !== undefined && body.input !== null)
      throw new WireError(400, "input: a string or a list");
    return {
      model,
      system: joinSystem(system),
      messages: list.finish(),
      tools: objects(body.tools).map(tool),
      stream: body.stream === true,
      maxTokens: count(body.max_output_tokens),
    };
  }

  function remember(id: string, conversation: FakeConversation, plan: PlannedReply): void {
    if ((conversation.body as JsonObject).store === false) return;
    stored.set(id, [...conversation.messages, plannedMessage(plan)]);
    for (const oldest of stored.keys()) {
      if (stored.size <= STORED_RESPONSES) break;
      stored.delete(oldest);
    }
  }

  return {
    api: "openai-responses",
    read,
    answer(plan: PlannedReply, conversation: FakeConversation): WireReply {
      const id = ids.next("resp_fake_");
      const output = responseOutput(plan, conversation, ids);
      remember(id, conversation, plan);
      const response = responseObject(id, conversation, plan, output);
      return conversation.stream
        ? { kind: "sse", events: responseEvents(response, output, plan) }
        : { kind: "json", body: response };
    },
    error: openaiError,
    newToolCallId: () => ids.next("call_"),
  };
}
