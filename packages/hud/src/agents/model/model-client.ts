// The one interface the tool loop and the LLM judge use to call a model, whatever the provider.
import type { AssistantMessage, ConversationMessage } from "./conversation.ts";

/**
 * A tool offered to the model. `native` names a provider's built-in tool this one stands for; an adapter that
 * knows it sends the built-in declaration, others send a plain function with `parameters`.
 */
export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
  native?: "claude-bash" | "claude-text-editor" | "openai-shell";
}

/**
 * One call's input. Clients treat its messages and tool list as immutable and may remember conversions per
 * object (the tool loop passes the same tool list every turn and never changes a message once sent).
 */
export interface ModelRequest {
  system?: string;
  messages: readonly ConversationMessage[];
  tools: readonly ToolSpec[];
  /** Output token cap for this call. */
  maxTokens?: number;
  /** Headers added to the provider call (e.g. a gateway's `Trace-Id`). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Why the model stopped, in provider-neutral terms. */
export type FinishReason = "stop" | "tool_calls" | "length" | "refusal" | "other";

/** Tokens of one call. `cachedInputTokens` are part of `inputTokens`. */
export interface CallUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
}

export interface ModelTurn {
  message: AssistantMessage;
  finishReason: FinishReason;
  /** The provider's own stop/finish string, recorded on the step. */
  providerFinishReason?: string;
  usage: CallUsage;
  /** The model id the provider reports having used. */
  model: string;
}

export interface ModelClient {
  /** `anthropic`, `openai`, `gemini`, `openai_compatible`. */
  readonly provider: string;
  readonly model: string;
  /** Calls go through the HUD gateway, which takes the trace id in a `Trace-Id` header. */
  readonly gateway?: boolean;
  complete(request: ModelRequest): Promise<ModelTurn>;
}
