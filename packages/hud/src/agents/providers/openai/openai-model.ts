// OpenAI's Responses API as a ModelClient, through the official `openai` SDK; the mappers beside this file do
// the conversion, this class only wires them.
import OpenAI from "openai";
import type { Response } from "openai/resources/responses/responses";
import type { Reasoning } from "openai/resources/shared";
import type { ModelClient, ModelRequest, ModelTurn } from "../../model/model-client.ts";
import { callModel, type ModelCallContext } from "../model-call.ts";
import { postJson } from "../openai-post-json.ts";
import { buildRequest, type OpenAIRequestSettings } from "./build-request.ts";
import { mapError } from "./map-error.ts";
import { mapResponse } from "./map-response.ts";
import { OPENAI_PROVIDER } from "./native-output.ts";

export const OPENAI_DEFAULTS = {
  /** The Python SDK's OpenAIConfig default. */
  model: "gpt-5.6",
} as const;

export interface OpenAIModelOptions {
  /** The endpoint is the HUD gateway: each call carries the trace id in a `Trace-Id` header. */
  gateway?: boolean;
  /** Default: OPENAI_DEFAULTS.model. */
  model?: string;
  apiKey: string;
  /** Another endpoint speaking the Responses API (a gateway, a fake server in tests); the SDK's default otherwise. */
  baseURL?: string;
  /** Headers on every call. */
  headers?: Record<string, string>;
  /** Output token cap when the request sets none. */
  maxOutputTokens?: number;
  /** e.g. `{effort: "low", summary: "auto"}`. */
  reasoning?: Reasoning;
  temperature?: number;
  /** Per-request timeout; the SDK's default is ten minutes. */
  timeoutSeconds?: number;
  /** Overrides of the shared retry policy for this model's calls (attempts, delays, budget). */
  retry?: ModelCallContext["retry"];
}

export class OpenAIModel implements ModelClient {
  readonly provider = OPENAI_PROVIDER;
  readonly gateway: boolean;
  readonly model: string;
  private readonly client: OpenAI;
  private readonly settings: OpenAIRequestSettings;
  private readonly retry: ModelCallContext["retry"];

  constructor(options: OpenAIModelOptions) {
    this.gateway = options.gateway ?? false;
    this.model = options.model ?? OPENAI_DEFAULTS.model;
    this.retry = options.retry;
    this.settings = {
      model: this.model,
      maxOutputTokens: options.maxOutputTokens,
      reasoning: options.reasoning,
      temperature: options.temperature,
    };
    this.client = new OpenAI({
      apiKey: options.apiKey,
      ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
      defaultHeaders: options.headers,
      // Retries and backoff are callModel's, shared by every provider.
      maxRetries: 0,
      ...(options.timeoutSeconds === undefined ? {} : { timeout: options.timeoutSeconds * 1000 }),
    });
  }

  async complete(request: ModelRequest): Promise<ModelTurn> {
    const body = buildRequest(request, this.settings);
    const { signal, headers } = request;
    try {
      const context = { provider: this.provider, model: this.model, signal, retry: this.retry };
      // The body is the whole conversation, so every attempt is the same request.
      const response = await callModel(context, () =>
        postJson<Response>(this.client, "/responses", body, { signal, headers }),
      );
      return mapResponse(response, request.tools, this.model);
    } catch (error) {
      throw mapError(error, this.model);
    }
  }
}
