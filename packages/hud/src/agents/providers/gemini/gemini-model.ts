// The Gemini model client: the official @google/genai SDK wired to the pure mappers of this folder, with the
// sampling defaults of the Python SDK's GeminiConfig and every call under the shared retry policy.
import { type Content, type GenerateContentConfig, GoogleGenAI, type ThinkingLevel } from "@google/genai";
import { memoByIdentity } from "../../model/memo-by-identity.ts";
import type { ModelClient, ModelRequest, ModelTurn } from "../../model/model-client.ts";
import { callModel, type ModelCallContext } from "../model-call.ts";
import { convertContents, GEMINI_PROVIDER } from "./convert-contents.ts";
import { GeminiTimeoutError, mapGeminiError } from "./map-error.ts";
import { mapResponse } from "./map-response.ts";
import { prepareTools } from "./prepare-tools.ts";

/** The tool loop passes one tool list per conversation: its declarations are built once. */
const toolsOf = memoByIdentity(prepareTools);

/** The Python SDK's GeminiConfig defaults (python-sdk.md §4.1). */
export const GEMINI_DEFAULTS = {
  model: "gemini-3-pro-preview",
  temperature: 1.0,
  topP: 0.95,
  topK: 40,
  maxOutputTokens: 8192,
  includeThoughts: true,
} as const;

/** Google's public endpoint, used when no `baseURL` is given. */
export const GEMINI_API_URL = "https://generativelanguage.googleapis.com";

export interface GeminiModelOptions {
  /** The endpoint is the HUD gateway: each call carries the trace id in a `Trace-Id` header. */
  gateway?: boolean;
  model: string;
  apiKey: string;
  /** Another endpoint (a gateway, a fake server); the SDK appends `/v1/models/<model>:generateContent`. */
  baseURL?: string;
  /** Headers sent on every call. */
  headers?: Record<string, string>;
  temperature?: number;
  topP?: number;
  topK?: number;
  /** Output tokens per call unless the request sets its own cap. */
  maxOutputTokens?: number;
  /** Gemini 3 thinking depth; left to the model when unset (Gemini 2.5 rejects it). */
  thinkingLevel?: "minimal" | "low" | "medium" | "high";
  /** Ask for thought summaries, recorded as the turn's reasoning (default true). */
  includeThoughts?: boolean;
  /** Bound on each attempt, seconds; a call that outlives it is retried like a network failure. */
  timeoutSeconds?: number;
  /** Overrides of the shared retry policy (attempts, delays). */
  retry?: ModelCallContext["retry"];
}

function toolCallCount(request: ModelRequest): number {
  let n = 0;
  for (const message of request.messages) if (message.role === "assistant") n += message.toolCalls.length;
  return n;
}

export class GeminiModel implements ModelClient {
  readonly provider = GEMINI_PROVIDER;
  readonly gateway: boolean;
  readonly model: string;
  private readonly client: GoogleGenAI;
  private readonly baseUrl: string;
  private readonly generation: GenerateContentConfig;
  private readonly timeoutSeconds: number | undefined;
  private readonly retry: ModelCallContext["retry"];

  constructor(options: GeminiModelOptions) {
    this.gateway = options.gateway ?? false;
    this.model = options.model;
    this.baseUrl = options.baseURL ?? GEMINI_API_URL;
    this.timeoutSeconds = options.timeoutSeconds;
    this.retry = options.retry;
    // No `retryOptions`: without them the SDK makes one attempt, leaving retries to callModel. `vertexai`
    // is pinned so a GOOGLE_GENAI_USE_VERTEXAI in the environment cannot redirect the calls.
    this.client = new GoogleGenAI({
      apiKey: options.apiKey,
      vertexai: false,
      httpOptions: { baseUrl: this.baseUrl, headers: options.headers ?? {} },
    });
    const level = options.thinkingLevel?.toUpperCase() as ThinkingLevel | undefined;
    this.generation = {
      temperature: options.temperature ?? GEMINI_DEFAULTS.temperature,
      topP: options.topP ?? GEMINI_DEFAULTS.topP,
      topK: options.topK ?? GEMINI_DEFAULTS.topK,
      maxOutputTokens: options.maxOutputTokens ?? GEMINI_DEFAULTS.maxOutputTokens,
      thinkingConfig: {
        includeThoughts: options.includeThoughts ?? GEMINI_DEFAULTS.includeThoughts,
        ...(level ? { thinkingLevel: level } : {}),
      },
    };
  }

  async complete(request: ModelRequest): Promise<ModelTurn> {
    const contents = convertContents(request.messages);
    const config: GenerateContentConfig = { ...this.generation };
    if (request.system) config.systemInstruction = request.system;
    const tools = toolsOf(request.tools);
    if (tools) config.tools = tools;
    if (request.maxTokens !== undefined) config.maxOutputTokens = request.maxTokens;
    if (request.headers) config.httpOptions = { headers: request.headers };
    const { signal } = request;
    try {
      const context = { provider: this.provider, model: this.model, signal, retry: this.retry };
      return await callModel(context, async () => {
        const response = await this.attempt(contents, config, signal);
        return mapResponse(response, { model: this.model, firstCallNumber: toolCallCount(request) + 1 });
      });
    } catch (error) {
      throw mapGeminiError(error, this.baseUrl);
    }
  }

  /** One request. The timeout is ours, not the SDK's, so that it surfaces as a retryable timeout. */
  private async attempt(contents: Content[], config: GenerateContentConfig, signal: AbortSignal | undefined) {
    const seconds = this.timeoutSeconds;
    const timeout = seconds === undefined ? undefined : AbortSignal.timeout(seconds * 1000);
    const abortSignal = timeout && signal ? AbortSignal.any([signal, timeout]) : (timeout ?? signal);
    try {
      return await this.client.models.generateContent({
        model: this.model,
        contents,
        config: abortSignal ? { ...config, abortSignal } : config,
      });
    } catch (error) {
      if (timeout?.aborted && !signal?.aborted) throw new GeminiTimeoutError(seconds!);
      throw error;
    }
  }
}
