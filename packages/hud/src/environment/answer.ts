// Answer<T>: what a template with a `returns` schema receives at grading — the parsed content and the raw text.
import type { Schema } from "./schema.ts";

export class Answer<T = unknown> {
  /** The answer parsed and validated against `returns`, or the raw string when that failed. */
  readonly content: T | string;
  /** The answer exactly as submitted, as a string. */
  readonly raw: string;
  /** Whether `content` passed the `returns` schema. */
  readonly valid: boolean;

  constructor(content: T | string, raw: string, valid = true) {
    this.content = content;
    this.raw = raw;
    this.valid = valid;
  }

  toJSON(): { content: unknown; raw: string } {
    return { content: this.content, raw: this.raw };
  }

  /** Build from a submitted answer: JSON-decode strings, validate, fall back to the raw string. */
  static async parse<T>(answer: unknown, schema: Schema): Promise<Answer<T>> {
    const raw = typeof answer === "string" ? answer : (JSON.stringify(answer) ?? "");
    const candidates: unknown[] = [];
    if (typeof answer === "string") {
      try {
        candidates.push(JSON.parse(answer));
      } catch {
        // not JSON: the raw string is the only candidate
      }
    }
    candidates.push(answer);
    for (const candidate of candidates) {
      const outcome = await schema.validate(candidate);
      if (outcome.ok) return new Answer<T>(outcome.value as T, raw, true);
    }
    return new Answer<T>(raw, raw, false);
  }
}
