// Server-sent events as the providers frame them: an optional `event:` line, one `data:` line, a blank line.
import type { ServerResponse } from "node:http";

export interface SseEvent {
  event?: string;
  /** Serialized as JSON unless it is already a string (OpenAI's closing `[DONE]`). */
  data: unknown;
}

export function formatSse({ event, data }: SseEvent): string {
  const payload = typeof data === "string" ? data : JSON.stringify(data);
  return `${event === undefined ? "" : `event: ${event}\n`}data: ${payload}\n\n`;
}

/** Writes the events as separate writes (clients must reassemble frames split across reads) and ends. */
export function writeSse(
  res: ServerResponse,
  events: readonly SseEvent[],
  headers: Record<string, string>,
): void {
  res.writeHead(200, {
    ...headers,
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
  });
  for (const event of events) {
    if (res.destroyed) return;
    res.write(formatSse(event));
  }
  res.end();
}
