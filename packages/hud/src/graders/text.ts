// Text graders: normalization, exact/substring/numeric matches and token F1, with the Python SDK's semantics.
import { firstNumber, PY_NOT_WORD_OR_SPACE, pySplit, pyStr, pyStrip } from "./python-text.ts";

const ARTICLES = new Set(["a", "an", "the"]);

/**
 * Lowercase, turn every character that is not a Unicode letter/number/`_` or whitespace into a space,
 * drop the words a/an/the, collapse whitespace and trim: `"  The Answer is: 42! "` → `"answer is 42"`.
 */
export function normalize(text: unknown): string {
  const words = pyStr(text).toLowerCase().replace(PY_NOT_WORD_OR_SPACE, " ");
  return pySplit(words)
    .filter((word) => !ARTICLES.has(word))
    .join(" ");
}

/** 1 when the texts are equal after `normalize` (or, with `normalizeText: false`, after trim + lowercase), else 0. */
export function exactMatch(
  answer: unknown,
  expected: unknown,
  options: { normalizeText?: boolean } = {},
): number {
  if (options.normalizeText ?? true) return normalize(answer) === normalize(expected) ? 1 : 0;
  return pyStrip(pyStr(answer)).toLowerCase() === pyStrip(pyStr(expected)).toLowerCase() ? 1 : 0;
}

export interface ContainsOptions {
  /** Compare case-sensitively (default false). */
  caseSensitive?: boolean;
}

/** 1 when `sub` occurs in the answer (case-insensitive unless asked); the empty string always occurs. */
export function contains(answer: unknown, sub: string, options: ContainsOptions = {}): number {
  const text = pyStr(answer);
  if (options.caseSensitive) return text.includes(sub) ? 1 : 0;
  return text.toLowerCase().includes(sub.toLowerCase()) ? 1 : 0;
}

/** 1 when any of `subs` occurs in the answer; 0 for an empty list. */
export function containsAny(answer: unknown, subs: readonly string[], options: ContainsOptions = {}): number {
  return subs.some((sub) => contains(answer, sub, options) === 1) ? 1 : 0;
}

/** 1 when every one of `subs` occurs in the answer; 1 for an empty list. */
export function containsAll(answer: unknown, subs: readonly string[], options: ContainsOptions = {}): number {
  return subs.every((sub) => contains(answer, sub, options) === 1) ? 1 : 0;
}

/**
 * 1 when the first number in the answer (`-?\d+\.?\d*`: no exponents or thousands separators, so "1,000" reads 1)
 * is within `tolerance` of `expected`; 0 when there is none.
 */
export function numericMatch(
  answer: unknown,
  expected: number,
  options: { tolerance?: number } = {},
): number {
  const found = firstNumber(pyStr(answer));
  if (found === undefined) return 0;
  return Math.abs(found - expected) <= (options.tolerance ?? 0) ? 1 : 0;
}

/** Token-level F1 of the normalized texts (SQuAD style: multiset overlap of words). */
export function f1Score(answer: unknown, reference: unknown): number {
  const predicted = pySplit(normalize(answer));
  const expected = pySplit(normalize(reference));
  if (predicted.length === 0 || expected.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const token of expected) counts.set(token, (counts.get(token) ?? 0) + 1);
  let common = 0;
  for (const token of predicted) {
    const left = counts.get(token) ?? 0;
    if (left > 0) {
      common += 1;
      counts.set(token, left - 1);
    }
  }
  if (common === 0) return 0;
  const precision = common / predicted.length;
  const recall = common / expected.length;
  return (2 * precision * recall) / (precision + recall);
}
