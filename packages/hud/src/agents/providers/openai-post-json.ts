// One JSON call through the official `openai` client's generic request path, shared by the Responses and the
// Chat Completions adapters.
import { APIConnectionTimeoutError, type OpenAI } from "openai";
import { oneLine } from "./error-line.ts";

export interface PostJsonOptions {
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

/**
 * POST `body` to `path` with `client.post` and return the JSON reply. The typed methods
 * (`responses.create`, `chat.completions.create`) are thin wrappers over this same call, so the URL, auth,
 * headers, time limit, abort and the APIError for an error status (which the retry policy reads) are the SDK's
 * own. Two of their layers cost every turn of a long conversation and are skipped: the body is serialized here
 * with a plain JSON.stringify (the typed methods pass every value of it through a replacer to spot `stream`,
 * about 3× slower), and the reply is read from the raw Response (the SDK's parsing layer adds a second timer, a
 * listener on the caller's signal and several promise layers to each call). The body is read within what is
 * left of the client's time limit; a reply that is not JSON is one line saying where it came from.
 */
export async function postJson<T>(
  client: OpenAI,
  path: string,
  body: object,
  options: PostJsonOptions,
): Promise<T> {
  const started = Date.now();
  const response = await client
    .post(path, {
      body: JSON.stringify(body),
      signal: options.signal,
      headers: { ...options.headers, "content-type": "application/json" },
    })
    .asResponse();
  const text = await readText(response, client.timeout - (Date.now() - started));
  try {
    return JSON.parse(text) as T;
  } catch {
    // A proxy's HTML page or a server on the wrong path, usually: say where and what came back.
    const type = response.headers.get("content-type") ?? "no content-type";
    throw new Error(
      `${response.url || path} answered ${response.status} with a body that is not JSON (${type}): ` +
        `${oneLine(text) || "(empty)"} — check the base URL`,
    );
  }
}

/** The body as text, or the SDK's timeout error (the read cancelled) once `ms` have passed. */
async function readText(response: Response, ms: number): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let timedOut = false;
  const timer = setTimeout(
    () => {
      timedOut = true;
      // A pending read then ends as done; the connection is dropped.
      reader.cancel().catch(() => {});
    },
    Math.max(0, ms),
  );
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
  } catch (error) {
    if (!timedOut) throw error;
  } finally {
    clearTimeout(timer);
  }
  if (timedOut) throw new APIConnectionTimeoutError();
  return Buffer.concat(chunks).toString("utf8");
}
