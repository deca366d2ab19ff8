// The provider-neutral view of one model request and the reply a test wants, shared by all four wire formats.

/** Which wire format a request arrived in. */
export type FakeApi = "anthropic" | "openai-responses" | "openai-chat" | "gemini";

/** An image as the request carried it: base64 data, or (when the client sent a link) only `url`. */
export interface FakeImage {
  mediaType: string;
  data: string;
  url?: string;
}

export type FakePart =
  | { type: "text"; text: string }
  | ({ type: "image" } & FakeImage)
  | { type: "tool_call"; id: string; name: string; arguments: unknown }
  | {
      type: "tool_result";
      id: string;
      name?: string;
      text: string;
      isError?: boolean;
      images?: FakeImage[];
    };

/** One turn; tool results live in user messages, and consecutive turns of one role are merged. */
export interface FakeMessage {
  role: "user" | "assistant";
  parts: FakePart[];
}

/** A tool offered to the model: `kind` is "function" or the provider's native tool type ("bash_20250124", "shell"). */
export interface FakeTool {
  name: string;
  description?: string;
  kind: string;
  parameters?: unknown;
}

/** Which header or query parameter carried an API key (any key is accepted). */
export interface FakeApiKey {
  via: "x-api-key" | "authorization" | "x-goog-api-key" | "query:key";
  value: string;
}

export interface FakeConversation {
  api: FakeApi;
  model: string;
  system?: string;
  messages: FakeMessage[];
  tools: FakeTool[];
  stream: boolean;
  maxTokens?: number;
  /** Request headers, names lowercased. */
  headers: Record<string, string>;
  apiKey?: FakeApiKey;
  /** The raw request body as parsed JSON. */
  body: unknown;
}

/** A tool call the fake model makes; `arguments` as a string is sent verbatim (to simulate malformed JSON). */
export interface FakeToolCall {
  name: string;
  arguments: unknown;
  id?: string;
}

/** Token counts: `input` is the whole prompt, `cached` the part of it served from cache. */
export interface FakeUsage {
  input?: number;
  output?: number;
  cached?: number;
}

export interface FakeAnswer {
  text?: string;
  reasoning?: string;
  toolCalls?: FakeToolCall[];
  usage?: FakeUsage;
  finish?: "stop" | "length";
}

/** An HTTP error the provider would send; `retryAfter` (seconds) becomes a Retry-After header. */
export interface FakeFault {
  fault: number;
  retryAfter?: number;
  message?: string;
}

/** Never answer: the client's timeout or abort has to end the request. */
export interface FakeHang {
  hang: true;
}

export type FakeReply = FakeAnswer | FakeFault | FakeHang;

export type FakePolicy = (conversation: FakeConversation) => FakeReply | Promise<FakeReply>;
