// OpenAI Responses output: the output items, the Response object, and the event stream that builds it.
import type { FakeConversation } from "./conversation.ts";
import type { IdSource } from "./provider-api.ts";
import { chunks, type PlannedReply, type PlannedToolCall } from "./reply-plan.ts";
import type { SseEvent } from "./sse.ts";
import { count, isObject, type JsonObject } from "./wire-values.ts";

/** A call to the native `shell` tool: `{commands: [...]}` or `{command: "..."}` → the shell_call action. */
function shellAction(args: unknown) {
  const given = isObject(args) ? args : {};
  const commands = Array.isArray(given.commands)
    ? given.commands.map(String)
    : typeof given.command === "string"
      ? [given.command]
      : typeof args === "string"
        ? [args]
        : [];
  return {
    commands,
    timeout_ms: count(given.timeout_ms) ?? null,
    max_output_length: count(given.max_output_length) ?? null,
  };
}

function toolCallItem(call: PlannedToolCall, conversation: FakeConversation, ids: IdSource): JsonObject {
  const native = conversation.tools.find((tool) => tool.name === call.name)?.kind;
  if (native === "shell") {
    const action = shellAction(call.arguments);
    const id = ids.next("sh_fake_");
    return { id, type: "shell_call", call_id: call.id, action, status: "completed", environment: null };
  }
  const id = ids.next("fc_fake_");
  const { name, argumentsJson } = call;
  return { id, type: "function_call", call_id: call.id, name, arguments: argumentsJson, status: "completed" };
}

export function responseOutput(
  plan: PlannedReply,
  conversation: FakeConversation,
  ids: IdSource,
): JsonObject[] {
  const output: JsonObject[] = [];
  if (plan.reasoning !== "") {
    const summary = [{ type: "summary_text", text: plan.reasoning }];
    output.push({ id: ids.next("rs_fake_"), type: "reasoning", summary });
  }
  if (plan.text !== "") {
    output.push({
      id: ids.next("msg_fake_"),
      type: "message",
      role: "assistant",
      status: plan.finish === "length" ? "incomplete" : "completed",
      content: [{ type: "output_text", text: plan.text, annotations: [], logprobs: [] }],
    });
  }
  for (const call of plan.toolCalls) output.push(toolCallItem(call, conversation, ids));
  return output;
}

function usage(plan: PlannedReply) {
  const { input, cached, output, reasoning } = plan.usage;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: cached, cache_write_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: input + output,
  };
}

export function responseObject(
  id: string,
  conversation: FakeConversation,
  plan: PlannedReply,
  output: JsonObject[],
) {
  const body = conversation.body as JsonObject;
  const incomplete = plan.finish === "length";
  const createdAt = Math.floor(Date.now() / 1000);
  return {
    id,
    object: "response",
    created_at: createdAt,
    completed_at: incomplete ? null : createdAt,
    status: incomplete ? "incomplete" : "completed",
    background: false,
    error: null,
    incomplete_details: incomplete ? { reason: "max_output_tokens" } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    metadata: body.metadata ?? {},
    model: conversation.model,
    output,
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    reasoning: body.reasoning ?? { effort: null, summary: null },
    service_tier: "default",
    store: body.store !== false,
    temperature: body.temperature ?? 1,
    text: body.text ?? { format: { type: "text" } },
    tool_choice: body.tool_choice ?? "auto",
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1,
    truncation: body.truncation ?? "disabled",
    usage: usage(plan),
    user: null,
  };
}

/** The events that build one output item: it opens empty, deltas fill it, `done` carries the final item. */
function itemEvents(item: JsonObject, index: number, plan: PlannedReply): JsonObject[] {
  const at = { item_id: item.id, output_index: index };
  const events: JsonObject[] = [];
  if (item.type === "reasoning") {
    const summary = { ...at, summary_index: 0 };
    events.push({ type: "response.output_item.added", output_index: index, item: { ...item, summary: [] } });
    events.push({
      type: "response.reasoning_summary_part.added",
      ...summary,
      part: { type: "summary_text", text: "" },
    });
    for (const delta of chunks(plan.reasoning))
      events.push({ type: "response.reasoning_summary_text.delta", ...summary, delta });
    events.push({ type: "response.reasoning_summary_text.done", ...summary, text: plan.reasoning });
    events.push({
      type: "response.reasoning_summary_part.done",
      ...summary,
      part: { type: "summary_text", text: plan.reasoning },
    });
  } else if (item.type === "message") {
    const part = { ...at, content_index: 0 };
    const done = { type: "output_text", text: plan.text, annotations: [], logprobs: [] };
    const opened = { ...item, status: "in_progress", content: [] };
    events.push({ type: "response.output_item.added", output_index: index, item: opened });
    events.push({ type: "response.content_part.added", ...part, part: { ...done, text: "" } });
    for (const delta of chunks(plan.text))
      events.push({ type: "response.output_text.delta", ...part, delta, logprobs: [] });
    events.push({ type: "response.output_text.done", ...part, text: plan.text, logprobs: [] });
    events.push({ type: "response.content_part.done", ...part, part: done });
  } else if (item.type === "function_call") {
    const opened = { ...item, arguments: "", status: "in_progress" };
    events.push({ type: "response.output_item.added", output_index: index, item: opened });
    for (const delta of chunks(String(item.arguments), 32)) {
      events.push({ type: "response.function_call_arguments.delta", ...at, delta });
    }
    events.push({
      type: "response.function_call_arguments.done",
      ...at,
      name: item.name,
      arguments: item.arguments,
    });
  } else {
    const action = item.action as { commands: string[] };
    const opened = { ...item, action: { ...action, commands: [] }, status: "in_progress" };
    events.push({ type: "response.output_item.added", output_index: index, item: opened });
    action.commands.forEach((command, commandIndex) => {
      const cmd = { output_index: index, command_index: commandIndex };
      events.push({ type: "response.shell_call_command.added", ...cmd, command: "" });
      events.push({ type: "response.shell_call_command.delta", ...cmd, delta: command });
      events.push({ type: "response.shell_call_command.done", ...cmd, command });
    });
  }
  events.push({ type: "response.output_item.done", output_index: index, item });
  return events;
}

export function responseEvents(response: JsonObject, output: JsonObject[], plan: PlannedReply): SseEvent[] {
  const opened = {
    ...response,
    status: "in_progress",
    output: [],
    usage: null,
    completed_at: null,
    incomplete_details: null,
  };
  const final = response.status === "incomplete" ? "response.incomplete" : "response.completed";
  const events: JsonObject[] = [
    { type: "response.created", response: opened },
    { type: "response.in_progress", response: opened },
    ...output.flatMap((item, index) => itemEvents(item, index, plan)),
    { type: final, response },
  ];
  return events.map((event, sequence) => ({
    event: String(event.type),
    data: { ...event, sequence_number: sequence },
  }));
}
