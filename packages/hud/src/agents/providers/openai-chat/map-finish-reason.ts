// Chat Completions `finish_reason` in provider-neutral terms.
import type { FinishReason } from "../../model/model-client.ts";

/**
 * `hasToolCalls` decides between "stop" and "tool_calls": several servers (Ollama, some vLLM tool parsers)
 * report `stop` on a turn that carries calls. The server's own string is kept on the turn as well.
 */
export function mapFinishReason(reason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  switch (reason) {
    case "length":
      return "length";
    case "content_filter":
      return "refusal";
    case "tool_calls":
    case "function_call":
      return "tool_calls";
    case "stop":
    case "eos":
    case null:
    case undefined:
      return hasToolCalls ? "tool_calls" : "stop";
    default:
      return hasToolCalls ? "tool_calls" : "other";
  }
}
