// A Responses API Response as one model turn: text, reasoning summary, tool calls, finish reason and usage.
import type { Response, ResponseOutputItem } from "openai/resources/responses/responses";
import { HudError } from "../../../protocol/errors.ts";
import type { ModelToolCall } from "../../model/conversation.ts";
import type { ModelTurn, ToolSpec } from "../../model/model-client.ts";
import { parseToolArguments } from "../../model/tool-arguments.ts";
import { convertUsage } from "./convert-usage.ts";
import { mapFinishReason } from "./map-finish-reason.ts";
import { withNativeOutput } from "./native-output.ts";
import { shellToolName } from "./prepare-tools.ts";
import { dropAddedNulls } from "./strict-schema.ts";

/** The call's arguments as the tool's own schema describes them (strict mode's stand-in nulls removed). */
function functionArguments(text: string, tool: ToolSpec | undefined): ModelToolCall["arguments"] {
  const args = parseToolArguments(text);
  return typeof args === "string" || tool === undefined ? args : dropAddedNulls(args, tool.parameters);
}

function toolCall(item: ResponseOutputItem, tools: readonly ToolSpec[]): ModelToolCall | undefined {
  if (item.type === "function_call") {
    const tool = tools.find((t) => t.name === item.name);
    return { id: item.call_id, name: item.name, arguments: functionArguments(item.arguments, tool) };
  }
  if (item.type === "shell_call") {
    const { commands, timeout_ms } = item.action;
    // Shaped as the workspace's shell tool takes them; a null timeout means none was asked for.
    const args = { commands, ...(typeof timeout_ms === "number" ? { timeout_ms } : {}) };
    return { id: item.call_id, name: shellToolName(tools) ?? "shell", arguments: args };
  }
  return undefined;
}

/** Summaries are what OpenAI shows of its models' reasoning; open models on compatible servers send the text. */
function reasoningText(item: Extract<ResponseOutputItem, { type: "reasoning" }>): string {
  const summary = item.summary.map((part) => part.text).filter((t) => t !== "");
  if (summary.length > 0) return summary.join("\n\n");
  return (item.content ?? []).map((part) => part.text).join("");
}

/**
 * The turn a response carries. `tools` are the request's: a `shell_call` maps to the tool standing for the
 * shell, and function arguments are read against their tool's schema. A failed response is a one-line HudError.
 */
export function mapResponse(
  response: Response,
  tools: readonly ToolSpec[],
  requestedModel: string,
): ModelTurn {
  if (response.status === "failed" || (response.error && response.output.length === 0)) {
    const error = response.error;
    const detail = error ? `: ${error.code ? `${error.code}: ` : ""}${error.message}` : "";
    throw new HudError(`the OpenAI response failed${detail}`);
  }
  const texts: string[] = [];
  const refusals: string[] = [];
  const reasoning: string[] = [];
  const calls: ModelToolCall[] = [];
  for (const item of response.output) {
    if (item.type === "message") {
      for (const part of item.content) {
        if (part.type === "output_text") texts.push(part.text);
        else refusals.push(part.refusal);
      }
    } else if (item.type === "reasoning") {
      const text = reasoningText(item);
      if (text !== "") reasoning.push(text);
    } else {
      const call = toolCall(item, tools);
      if (call) calls.push(call);
    }
  }
  // Joined as the SDK's own `output_text` joins them.
  const text = texts.join("") || refusals.join("");
  const finish = mapFinishReason(response, calls.length > 0);
  const refused = texts.length === 0 && refusals.length > 0 && finish.finishReason === "stop";
  return {
    message: {
      role: "assistant",
      text,
      ...(reasoning.length > 0 ? { reasoning: reasoning.join("\n\n") } : {}),
      toolCalls: calls,
      native: withNativeOutput(response.output),
    },
    finishReason: refused ? "refusal" : finish.finishReason,
    ...(finish.providerFinishReason === undefined
      ? {}
      : { providerFinishReason: finish.providerFinishReason }),
    usage: convertUsage(response.usage),
    model: typeof response.model === "string" && response.model !== "" ? response.model : requestedModel,
  };
}
