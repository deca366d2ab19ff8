// The contract between the HTTP server and one wire format: read a request, encode a reply, shape an error.
import type { FakeApi, FakeConversation } from "./conversation.ts";
import type { PlannedReply } from "./reply-plan.ts";
import type { SseEvent } from "./sse.ts";
import type { JsonObject } from "./wire-values.ts";

/** What the router learned from the path (Gemini names the model and method there). */
export interface RouteParams {
  model?: string;
  method?: string;
  query: URLSearchParams;
}

/** The neutral fields a wire reader fills; the server adds api, headers, key and body. */
export type ReadConversation = Pick<
  FakeConversation,
  "model" | "system" | "messages" | "tools" | "stream" | "maxTokens"
>;

export type WireReply = { kind: "json"; body: unknown } | { kind: "sse"; events: SseEvent[] };

export interface ProviderApi {
  readonly api: FakeApi;
  /** Throws WireError for a request the provider would reject. */
  read(body: JsonObject, route: RouteParams): ReadConversation;
  answer(plan: PlannedReply, conversation: FakeConversation, route: RouteParams): WireReply;
  /** The provider's error body for `status`. */
  error(status: number, message: string): unknown;
  newToolCallId(): string;
}

/** Per-server counters, so ids are unique within a server and the same in every run. */
export class IdSource {
  #next = new Map<string, number>();
  next(prefix: string): string {
    const n = (this.#next.get(prefix) ?? 0) + 1;
    this.#next.set(prefix, n);
    return `${prefix}${n}`;
  }
}
