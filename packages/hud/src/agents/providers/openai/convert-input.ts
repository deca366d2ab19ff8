// The provider-neutral conversation as Responses API input items.
//
// Stateless by choice: every call sends the whole conversation with `store: false` instead of chaining
// `previous_response_id` (the Python SDK's way). The tool loop already holds the conversation; sending it makes a
// retried call the same call (a chained one depends on what the server kept), works for organizations under
// zero data retention (which cannot store responses) and for Responses-compatible gateways that keep nothing,
// and never fails because a stored response expired. Prompt caching still applies: it keys on the prefix.
//
// Unstored items cannot be referenced by id, so the assistant's own items go back without their ids; a
// reasoning item goes back only with its `encrypted_content`, the one form the API accepts without a store.
import type {
  ResponseFunctionCallOutputItem,
  ResponseInputContent,
  ResponseInputItem,
  ResponseOutputItem,
} from "openai/resources/responses/responses";
import type {
  AssistantMessage,
  ContentPart,
  ConversationMessage,
  ToolOutput,
} from "../../model/conversation.ts";
import { nativeOutput } from "./native-output.ts";

/** Put first in an error result's output, as the Python SDK does, so the model can tell failure from output. */
export const TOOL_ERROR_MARKER = "[tool_error] true";

function dataUrl(part: Extract<ContentPart, { type: "image" }>): string {
  return `data:${part.mediaType};base64,${part.data}`;
}

function userContent(parts: readonly ContentPart[]): ResponseInputContent[] {
  return parts.map((part) =>
    part.type === "text"
      ? { type: "input_text", text: part.text }
      : { type: "input_image", image_url: dataUrl(part), detail: "auto" },
  );
}

/** What a shell call asked for, by call id, so its result can answer in kind. */
type ShellCalls = Map<string, { maxOutputLength: number | null }>;

/** One of the assistant's own output items as input: without its id; undefined when it cannot go back. */
function replayItem(item: ResponseOutputItem, shells: ShellCalls): ResponseInputItem | undefined {
  switch (item.type) {
    case "reasoning": {
      if (!item.encrypted_content) return undefined;
      const { id: _id, status: _status, ...rest } = item;
      return rest as ResponseInputItem;
    }
    case "message":
    case "function_call": {
      const { id: _id, ...rest } = item;
      return rest as ResponseInputItem;
    }
    case "shell_call": {
      shells.set(item.call_id, { maxOutputLength: item.action.max_output_length ?? null });
      return { type: "shell_call", call_id: item.call_id, action: item.action, status: item.status };
    }
    default:
      // Items of tools this adapter never offers (hosted search, code interpreter…) live only in the store.
      return undefined;
  }
}

/** A turn recorded by another adapter (or built by hand): its text and calls as plain items. */
function rebuiltItems(message: AssistantMessage): ResponseInputItem[] {
  const items: ResponseInputItem[] = [];
  if (message.text !== "") items.push({ type: "message", role: "assistant", content: message.text });
  for (const call of message.toolCalls) {
    items.push({
      type: "function_call",
      call_id: call.id,
      name: call.name,
      arguments: typeof call.arguments === "string" ? call.arguments : JSON.stringify(call.arguments),
    });
  }
  return items;
}

/** A function result as text when it is text only (what every Responses server takes), else a part list. */
function functionOutput(output: ToolOutput): string | ResponseFunctionCallOutputItem[] {
  const texts: string[] = output.isError ? [TOOL_ERROR_MARKER] : [];
  const structured = output.structured === undefined ? undefined : JSON.stringify(output.structured);
  // MCP tools already put structured content in the text when they have no other; don't send it twice.
  if (structured !== undefined && !output.content.some((p) => p.type === "text" && p.text === structured)) {
    texts.push(structured);
  }
  if (output.content.every((p) => p.type === "text")) {
    return [...texts, ...output.content.map((p) => (p as { text: string }).text)].join("\n");
  }
  return [
    ...texts.map((text): ResponseFunctionCallOutputItem => ({ type: "input_text", text })),
    ...output.content.map(
      (part): ResponseFunctionCallOutputItem =>
        part.type === "text"
          ? { type: "input_text", text: part.text }
          : { type: "input_image", image_url: dataUrl(part), detail: "auto" },
    ),
  ];
}

/** Cut stdout then stderr to the length the model asked for (the shell tool's `max_output_length`). */
function bounded(stdout: string, stderr: string, max: number | null): { stdout: string; stderr: string } {
  if (max === null || stdout.length + stderr.length <= max) return { stdout, stderr };
  const out = stdout.slice(0, max);
  return { stdout: out, stderr: stderr.slice(0, max - out.length) };
}

/** A shell result from the tool's structured `{stdout, stderr, exit_code}`, or from its text when it has none. */
function shellOutput(callId: string, output: ToolOutput, maxOutputLength: number | null): ResponseInputItem {
  const s = output.structured ?? {};
  const text = output.content.map((p) => (p.type === "text" ? p.text : "")).join("\n");
  const structured = typeof s.exit_code === "number";
  // Without structured output the call never ran (bad arguments, a timeout): its message is the stderr.
  const stdout = structured ? String(s.stdout ?? "") : output.isError ? "" : text;
  const stderr = structured ? String(s.stderr ?? "") : output.isError ? text : "";
  const exitCode = structured ? (s.exit_code as number) : output.isError ? 1 : 0;
  return {
    type: "shell_call_output",
    call_id: callId,
    output: [{ ...bounded(stdout, stderr, maxOutputLength), outcome: { type: "exit", exit_code: exitCode } }],
    ...(maxOutputLength === null ? {} : { max_output_length: maxOutputLength }),
  };
}

/** The conversation as `input` (the system prompt goes separately, as `instructions`). */
export function convertInput(messages: readonly ConversationMessage[]): ResponseInputItem[] {
  const shells: ShellCalls = new Map();
  const items: ResponseInputItem[] = [];
  for (const message of messages) {
    if (message.role === "user") {
      items.push({ type: "message", role: "user", content: userContent(message.content) });
    } else if (message.role === "assistant") {
      const native = nativeOutput(message);
      const replayed =
        native === undefined ? rebuiltItems(message) : native.map((i) => replayItem(i, shells));
      for (const item of replayed) if (item) items.push(item);
    } else {
      for (const { call, output } of message.results) {
        const shell = shells.get(call.id);
        items.push(
          shell
            ? shellOutput(call.id, output, shell.maxOutputLength)
            : { type: "function_call_output", call_id: call.id, output: functionOutput(output) },
        );
      }
    }
  }
  return items;
}
