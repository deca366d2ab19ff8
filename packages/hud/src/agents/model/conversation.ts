// The provider-neutral conversation an agent keeps: what every provider adapter converts to and from its wire format.

/** A piece of user or tool content. Images are base64 with their media type. */
export type ContentPart = { type: "text"; text: string } | { type: "image"; mediaType: string; data: string };

/** A tool call as the model issued it. String `arguments` are unparsed provider JSON and are never executed. */
export interface ModelToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown> | string;
}

/** What a tool returned: content for the model, an error flag, and structured data some providers take as is. */
export interface ToolOutput {
  content: ContentPart[];
  isError: boolean;
  /** Provider-native result fields (e.g. `{stdout, stderr, exit_code}` of a shell call). */
  structured?: Record<string, unknown>;
}

export interface UserMessage {
  role: "user";
  content: ContentPart[];
}

export interface AssistantMessage {
  role: "assistant";
  text: string;
  reasoning?: string;
  toolCalls: ModelToolCall[];
  /**
   * The adapter's own record of this turn (e.g. signed thinking blocks, reasoning items), sent back verbatim by
   * the same adapter and ignored by others.
   */
  native?: { provider: string; value: unknown };
}

/** The results of one assistant turn's tool calls, in call order. */
export interface ToolResultsMessage {
  role: "tool";
  results: { call: ModelToolCall; output: ToolOutput }[];
}

export type ConversationMessage = UserMessage | AssistantMessage | ToolResultsMessage;

export function textOf(parts: readonly ContentPart[]): string {
  return parts
    .filter((p): p is Extract<ContentPart, { type: "text" }> => p.type === "text")
    .map((p) => p.text)
    .join("\n");
}
