// Reading untrusted request JSON: small type guards, data URLs, tool arguments, and the error a bad request raises.
import type { FakeImage } from "./conversation.ts";

/** A request the provider would reject: the server answers `status` in that provider's error shape. */
export class WireError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = "WireError";
    this.status = status;
  }
}

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The objects in `value` when it is an array (anything else in it is skipped), else []. */
export function objects(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isObject) : [];
}

export function text(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** A required string field, or a 400 naming it — the way the providers report a missing field. */
export function requiredText(body: JsonObject, field: string): string {
  const value = body[field];
  if (typeof value !== "string" || value === "") throw new WireError(400, `${field}: Field required`);
  return value;
}

export function requiredArray(body: JsonObject, field: string): unknown[] {
  const value = body[field];
  if (!Array.isArray(value)) throw new WireError(400, `${field}: Field required (an array)`);
  return value;
}

/** Tool arguments as the model sent them: parsed when they are JSON, else the raw string. */
export function parseArguments(json: unknown): unknown {
  if (typeof json !== "string") return json ?? {};
  if (json.trim() === "") return {};
  try {
    return JSON.parse(json);
  } catch {
    return json;
  }
}

/** `data:image/png;base64,...` → the image; any other URL is kept as a link. */
export function imageFromUrl(url: string): FakeImage {
  const match = /^data:([^;,]*)(?:;[^,]*)?;base64,(.*)$/s.exec(url);
  if (match) return { mediaType: match[1] || "application/octet-stream", data: match[2]! };
  return { mediaType: "", data: "", url };
}

/** The text pieces of a content list (`{type: "text" | "input_text" | "output_text", text}`), joined. */
export function joinedText(content: unknown, types: readonly string[]): string {
  if (typeof content === "string") return content;
  return objects(content)
    .filter((part) => types.includes(String(part.type)) && typeof part.text === "string")
    .map((part) => part.text as string)
    .join("\n");
}
