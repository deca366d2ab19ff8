// The response's own output items, kept on the assistant turn so the next call sends them back as they came
// (reasoning with its encrypted content, message phases, shell call limits) instead of a lossy rebuild.
import type { ResponseOutputItem } from "openai/resources/responses/responses";
import type { AssistantMessage } from "../../model/conversation.ts";

/** The provider name this adapter reports and stamps on its turns (the Python SDK's agent type). */
export const OPENAI_PROVIDER = "openai";

export function withNativeOutput(output: readonly ResponseOutputItem[]): AssistantMessage["native"] {
  return { provider: OPENAI_PROVIDER, value: output };
}

/** This adapter's items on `message`, or undefined for a turn another adapter (or a test) made. */
export function nativeOutput(message: AssistantMessage): readonly ResponseOutputItem[] | undefined {
  const native = message.native;
  if (native?.provider !== OPENAI_PROVIDER || !Array.isArray(native.value)) return undefined;
  return native.value as ResponseOutputItem[];
}
