// The pieces every provider adapter uses to turn a failed call into one line: the error that carries it,
// server text flattened and capped, Retry-After read, and the words a wrapper (the retry policy's "(after N
// attempts)") adds kept.

/**
 * A failed provider call, described in one line; the SDK's error (or the retry policy's wrapper) stays as
 * `cause`. Each adapter names its own subclass.
 */
export class ProviderCallError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status: number | undefined, cause: unknown) {
    super(message, { cause });
    this.status = status;
  }
}

/** Longest server message kept by default: proxies in front of the APIs answer errors with whole HTML pages. */
const MAX_DETAIL = 300;

/** `text` on one line, cut at `maxChars` (pass Infinity to keep it whole). */
export function oneLine(text: string, maxChars = MAX_DETAIL): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > maxChars ? `${flat.slice(0, maxChars)}…` : flat;
}

/** The seconds a Retry-After header asks to wait, when it gives them as a number (not as a date). */
export function retryAfterSeconds(headers: Headers | undefined): string | undefined {
  const seconds = headers?.get("retry-after")?.trim();
  return seconds && /^\d+(\.\d+)?$/.test(seconds) ? seconds : undefined;
}

/** Why a connection failed: the transport error's message and its own cause's, on one line. */
export function connectionFailure(error: Error, maxChars = MAX_DETAIL): string {
  const cause = error.cause instanceof Error ? error.cause : undefined;
  return oneLine(
    [cause?.message, (cause?.cause as Error | undefined)?.message].filter(Boolean).join(": "),
    maxChars,
  );
}

/** The error and its causes, outermost first (bounded: cause chains can loop). */
export function causeChain(error: unknown): Error[] {
  const chain: Error[] = [];
  for (let at = error; at instanceof Error && chain.length < 6 && !chain.includes(at); at = at.cause)
    chain.push(at);
  return chain;
}

/** What `outer` adds after the message of the `root` error it wraps, e.g. " (after 4 attempts)"; "" if nothing. */
export function wrapperWords(outer: Error, root: Error): string {
  return outer !== root && outer.message.startsWith(root.message)
    ? outer.message.slice(root.message.length)
    : "";
}
