// Any OpenAI-compatible Chat Completions server (vLLM, Ollama, llama.cpp, OpenRouter, …) as a ModelClient,
// through the official `openai` SDK; the mappers beside this file convert, this class only wires them.
import OpenAI from "openai";
import type {
  ChatCompletion,
  ChatCompletionCreateParamsNonStreaming,
} from "openai/resources/chat/completions";
import { memoByIdentity } from "../../model/memo-by-identity.ts";
import type { ModelClient, ModelRequest, ModelTurn } from "../../model/model-client.ts";
import { callModel, type ModelCallContext } from "../model-call.ts";
import { postJson } from "../openai-post-json.ts";
import { convertMessages } from "./convert-messages.ts";
import { mapOpenAIChatError } from "./map-error.ts";
import { mapResponse } from "./map-response.ts";
import { prepareTools } from "./prepare-tools.ts";
import { OPENAI_CHAT_PROVIDER } from "./provider-name.ts";

/** The tool loop passes one tool list per conversation: its declarations are built once. */
const toolsOf = memoByIdentity(prepareTools);

export const OPENAI_CHAT_DEFAULTS = {
  /** The Python SDK's OpenAIChatConfig default. */
  model: "gpt-5.4-mini",
} as const;

/**
 * Local servers ignore the key, but the SDK wants one; vLLM's documentation uses this value. An explicit
 * placeholder also keeps the SDK from sending `OPENAI_API_KEY` from the environment to an arbitrary baseURL.
 */
const PLACEHOLDER_API_KEY = "EMPTY";

export interface OpenAIChatModelOptions {
  /** The endpoint is the HUD gateway: each call carries the trace id in a `Trace-Id` header. */
  gateway?: boolean;
  model: string;
  /** The server's OpenAI API root, usually ending in `/v1` (e.g. `http://localhost:8000/v1`). */
  baseURL: string;
  apiKey?: string;
  /** Headers on every call. */
  headers?: Record<string, string>;
  /** Output token cap when the request sets none (`max_tokens`, or `max_completion_tokens` if completionKwargs use it). */
  maxTokens?: number;
  temperature?: number;
  /**
   * Extra body fields, sent as given and winning over the adapter's own (e.g. `{top_p: 0.8}`, vLLM's
   * `{chat_template_kwargs: {enable_thinking: false}}`, or `{max_completion_tokens: n}` for OpenAI's
   * reasoning models, which refuse `max_tokens`). `model`, `messages`, `tools` and `stream` stay the adapter's; an
   * `extra_body` object is spread into the body, as the Python SDK sends it.
   */
  completionKwargs?: Record<string, unknown>;
  /** Per-request timeout; the SDK's default is ten minutes. */
  timeoutSeconds?: number;
  /** Overrides of the shared retry policy (e.g. fewer attempts against a local server). */
  retry?: ModelCallContext["retry"];
}

const RESERVED = new Set(["model", "messages", "tools", "stream"]);

/**
 * The user's extra body fields without the reserved ones. A Python-style `extra_body` object is spread into
 * the body, as the Python SDK's client does, so its OpenAIChatConfig `completion_kwargs` carry over as they are.
 */
function extraFields(kwargs: Record<string, unknown>): Record<string, unknown> {
  const { extra_body: nested, ...rest } = kwargs;
  const spread =
    typeof nested === "object" && nested !== null && !Array.isArray(nested) ? { ...rest, ...nested } : kwargs;
  return Object.fromEntries(Object.entries(spread).filter(([key]) => !RESERVED.has(key)));
}

export class OpenAIChatModel implements ModelClient {
  readonly provider = OPENAI_CHAT_PROVIDER;
  readonly gateway: boolean;
  readonly model: string;
  private readonly client: OpenAI;
  private readonly options: OpenAIChatModelOptions;
  /** The user's extra body fields, sorted out once. */
  private readonly extra: Record<string, unknown>;

  constructor(options: OpenAIChatModelOptions) {
    this.gateway = options.gateway ?? false;
    this.model = options.model;
    this.options = options;
    this.extra = extraFields(options.completionKwargs ?? {});
    this.client = new OpenAI({
      baseURL: options.baseURL,
      apiKey: options.apiKey ?? PLACEHOLDER_API_KEY,
      // Explicit nulls: the environment's OpenAI organization and project are not this server's.
      organization: null,
      project: null,
      defaultHeaders: options.headers,
      // Retries and backoff are callModel's, shared by every provider.
      maxRetries: 0,
      ...(options.timeoutSeconds === undefined ? {} : { timeout: options.timeoutSeconds * 1000 }),
    });
  }

  /** The request body: the adapter's fields, then the user's extra fields (reserved ones excepted). */
  body(request: ModelRequest): ChatCompletionCreateParamsNonStreaming {
    const { extra } = this;
    // The cap goes in the field the user chose (OpenAI's reasoning models refuse `max_tokens`); a request's
    // own cap is the most specific, then the user's value, then the constructor's.
    const capField = "max_completion_tokens" in extra ? "max_completion_tokens" : "max_tokens";
    const cap = request.maxTokens ?? extra[capField] ?? this.options.maxTokens;
    const tools = toolsOf(request.tools);
    return {
      ...(this.options.temperature === undefined ? {} : { temperature: this.options.temperature }),
      ...extra,
      ...(cap === undefined ? {} : { [capField]: cap }),
      model: this.model,
      messages: convertMessages(request.messages, request.system),
      // OpenAI rejects an empty tool list; leaving it out means the same to every server.
      ...(tools.length > 0 ? { tools } : {}),
      stream: false,
    };
  }

  async complete(request: ModelRequest): Promise<ModelTurn> {
    const body = this.body(request);
    const { signal, headers } = request;
    try {
      const context = { provider: this.provider, model: this.model, signal, retry: this.options.retry };
      const response = await callModel(context, () =>
        postJson<ChatCompletion>(this.client, "/chat/completions", body, { signal, headers }),
      );
      return mapResponse(response, this.model);
    } catch (error) {
      throw mapOpenAIChatError(error, this.client.baseURL);
    }
  }
}
