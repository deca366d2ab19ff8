// Claude through the official Anthropic SDK: a ModelClient that wires the mappers around one streamed call.
import Anthropic from "@anthropic-ai/sdk";
import type { MessageCreateParamsStreaming } from "@anthropic-ai/sdk/resources/messages";
import { memoByIdentity } from "../../model/memo-by-identity.ts";
import type { ModelClient, ModelRequest, ModelTurn } from "../../model/model-client.ts";
import { callModel, type ModelCallContext } from "../model-call.ts";
import { accumulateStream } from "./accumulate-stream.ts";
import { convertMessages } from "./convert-messages.ts";
import { mapAnthropicError } from "./map-error.ts";
import { mapResponse } from "./map-response.ts";
import { prepareTools } from "./prepare-tools.ts";

/** The tool loop passes one tool list per conversation: its declarations are built once. */
const toolsOf = memoByIdentity(prepareTools);

/** The reference SDK's ClaudeConfig defaults (python-sdk.md §4.1). */
export const CLAUDE_DEFAULTS = {
  model: "claude-sonnet-4-6",
  maxTokens: 16384,
  toolTimeoutSeconds: 120,
} as const;

export interface AnthropicModelOptions {
  /** The endpoint is the HUD gateway: each call carries the trace id in a `Trace-Id` header. */
  gateway?: boolean;
  model?: string;
  apiKey: string;
  /** Another endpoint speaking the Messages API (a gateway, a fake server in tests). */
  baseURL?: string;
  /** Headers sent with every call (a request's own headers are added on top). */
  headers?: Record<string, string>;
  /** Output tokens per call unless the request sets its own cap. */
  maxTokens?: number;
  /** How long to wait for the response to start, seconds (the SDK's default is 10 minutes). */
  timeoutSeconds?: number;
  /** Overrides of the shared retry policy for this model's calls (attempts, delays, budget). */
  retry?: ModelCallContext["retry"];
}

export class AnthropicModel implements ModelClient {
  readonly provider = "anthropic";
  readonly gateway: boolean;
  readonly model: string;
  private readonly client: Anthropic;
  private readonly maxTokens: number;
  private readonly timeoutSeconds: number | undefined;
  private readonly retry: ModelCallContext["retry"];

  constructor(options: AnthropicModelOptions) {
    this.gateway = options.gateway ?? false;
    this.model = options.model ?? CLAUDE_DEFAULTS.model;
    this.maxTokens = options.maxTokens ?? CLAUDE_DEFAULTS.maxTokens;
    this.timeoutSeconds = options.timeoutSeconds;
    this.retry = options.retry;
    this.client = new Anthropic({
      apiKey: options.apiKey,
      baseURL: options.baseURL,
      defaultHeaders: options.headers,
      // Retries belong to callModel's shared policy (backoff, rate-limit back-off), not to the SDK.
      maxRetries: 0,
      ...(options.timeoutSeconds === undefined ? {} : { timeout: options.timeoutSeconds * 1000 }),
    });
  }

  /** The request body: everything the mappers derive from the neutral request. */
  body(request: ModelRequest): MessageCreateParamsStreaming {
    const { system, messages } = convertMessages(request.messages, request.system);
    return {
      model: this.model,
      max_tokens: request.maxTokens ?? this.maxTokens,
      ...(system === undefined ? {} : { system }),
      messages,
      ...toolsOf(request.tools),
      stream: true,
    };
  }

  async complete(request: ModelRequest): Promise<ModelTurn> {
    const body = this.body(request);
    const { signal } = request;
    try {
      const context: ModelCallContext = { provider: this.provider, model: this.model, signal };
      if (this.retry) context.retry = this.retry;
      return await callModel(context, async () => {
        // Streamed, as the reference does: long answers never hit the SDK's non-streaming time limits, and an
        // abort ends the call at once. Read by accumulateStream rather than messages.stream().finalMessage(),
        // whose parser fails the whole turn on invalid tool JSON.
        const stream = await this.client.messages.create(body, { signal, headers: request.headers });
        try {
          return mapResponse(await accumulateStream(stream));
        } catch (error) {
          // The SDK's stream ends quietly when aborted; report the abort, not the missing end of the stream.
          signal?.throwIfAborted();
          throw error;
        }
      });
    } catch (error) {
      throw mapAnthropicError(error, { baseURL: this.client.baseURL, timeoutSeconds: this.timeoutSeconds });
    }
  }
}
