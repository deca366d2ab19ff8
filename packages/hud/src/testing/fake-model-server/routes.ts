// Which API a request path belongs to, which API's error shape an unknown path gets, and where its key was.
import type { FakeApi, FakeApiKey } from "./conversation.ts";
import type { RouteParams } from "./provider-api.ts";

const ROUTES: readonly { pattern: RegExp; api: FakeApi }[] = [
  { pattern: /^\/v1\/messages$/, api: "anthropic" },
  { pattern: /^\/v1\/responses$/, api: "openai-responses" },
  { pattern: /^\/v1\/chat\/completions$/, api: "openai-chat" },
  // @google/genai uses v1 by default; the Python SDK and REST examples use v1beta.
  {
    pattern: /^\/(?:v1|v1beta|v1alpha)\/models\/([^/:]+):(generateContent|streamGenerateContent)$/,
    api: "gemini",
  },
];

export interface Route extends RouteParams {
  api: FakeApi;
}

function decoded(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

export function matchRoute(method: string, path: string, query: URLSearchParams): Route | undefined {
  if (method !== "POST") return undefined;
  for (const { pattern, api } of ROUTES) {
    const match = pattern.exec(path);
    if (match) return { api, query, model: decoded(match[1]), method: match[2] };
  }
  return undefined;
}

/** For a path no route serves: answer in the shape of the SDK that most likely sent it. */
export function guessApi(path: string, headers: Record<string, string>, query: URLSearchParams): FakeApi {
  if (path.startsWith("/v1/messages") || headers["anthropic-version"] !== undefined) return "anthropic";
  const geminiPath = /^\/v1(?:beta|alpha)\//.test(path) || /\/models\/[^/]+:/.test(path);
  if (geminiPath || headers["x-goog-api-key"] !== undefined || query.has("key")) return "gemini";
  return "openai-chat";
}

export function apiKeyOf(headers: Record<string, string>, query: URLSearchParams): FakeApiKey | undefined {
  const key = headers["x-api-key"];
  if (key !== undefined) return { via: "x-api-key", value: key };
  const google = headers["x-goog-api-key"];
  if (google !== undefined) return { via: "x-goog-api-key", value: google };
  const authorization = headers.authorization;
  if (authorization !== undefined)
    return { via: "authorization", value: authorization.replace(/^Bearer\s+/i, "") };
  const param = query.get("key");
  return param === null ? undefined : { via: "query:key", value: param };
}

/** Header values flattened to strings, names lowercased (Node already lowercases them). */
export function flatHeaders(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}
