// NDJSON framing: split a byte stream into lines with a hard size cap, and encode frames.

/** Default largest frame accepted (16 MiB), excluding the newline. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

const NEWLINE = 0x0a;
/** Smallest buffer allocated to hold a partial line (so byte-sized chunks do not reallocate per byte). */
const MIN_CAPACITY = 16 * 1024;
/** Room above the limit for the rest of the chunk that completes a maximal line. */
const CHUNK_SLACK = 64 * 1024;
const EMPTY = Buffer.alloc(0);

export type ReadResult = { kind: "frame"; line: Buffer } | { kind: "oversize"; size: number };

/**
 * Incremental line splitter. Feed chunks, pull complete lines. A line longer than
 * `maxBytes` is reported once as `oversize`; the reader is then unusable (the caller closes).
 * Lines end at `\n` only. Every byte is scanned once and copied at most a few times
 * (amortized), whatever the chunk sizes. A returned line stays valid: its bytes are never reused.
 */
export class FrameReader {
  readonly maxBytes: number;
  /** Pending bytes are `buffer[start, end)`. Bytes before `start` may belong to returned lines. */
  private buffer: Buffer = EMPTY;
  private start = 0;
  private end = 0;
  /** `buffer` is our own allocation (appendable at `end`), not a caller's chunk. */
  private owned = false;
  /** Pending bytes in `[start, scanned)` hold no newline. */
  private scanned = 0;
  private failed = false;

  constructor(maxBytes = DEFAULT_MAX_FRAME_BYTES) {
    this.maxBytes = maxBytes;
  }

  push(chunk: Buffer): void {
    if (this.failed || chunk.length === 0) return;
    if (this.start === this.end) {
      // Nothing pending: keep the chunk itself, no copy (the common case for small frames).
      this.buffer = chunk;
      this.start = 0;
      this.end = chunk.length;
      this.scanned = 0;
      this.owned = false;
      return;
    }
    if (this.owned && this.end + chunk.length <= this.buffer.length) {
      chunk.copy(this.buffer, this.end);
      this.end += chunk.length;
      return;
    }
    const pending = this.end - this.start;
    const needed = pending + chunk.length;
    let capacity = Math.max(needed * 2, MIN_CAPACITY);
    // Below the limit, never reserve more than one maximal line plus a chunk.
    if (needed <= this.maxBytes)
      capacity = Math.max(needed, Math.min(capacity, this.maxBytes + 1 + CHUNK_SLACK));
    // A fresh allocation rather than compaction: returned lines may still point into the old buffer.
    const next = Buffer.allocUnsafe(capacity);
    this.buffer.copy(next, 0, this.start, this.end);
    chunk.copy(next, pending);
    this.scanned -= this.start;
    this.buffer = next;
    this.start = 0;
    this.end = needed;
    this.owned = true;
  }

  /** Next complete line, `oversize` when the pending line exceeds the cap, or undefined for "need more". */
  next(): ReadResult | undefined {
    if (this.failed || this.start === this.end) return undefined;
    const view = this.end === this.buffer.length ? this.buffer : this.buffer.subarray(0, this.end);
    const at = view.indexOf(NEWLINE, this.scanned);
    if (at < 0) {
      this.scanned = this.end;
      const size = this.end - this.start;
      return size > this.maxBytes ? this.fail(size) : undefined;
    }
    const size = at - this.start;
    if (size > this.maxBytes) return this.fail(size);
    const line = this.buffer.subarray(this.start, at);
    if (at + 1 === this.end) this.reset();
    else {
      this.start = at + 1;
      this.scanned = this.start;
    }
    return { kind: "frame", line };
  }

  /** Everything buffered and not yet returned as a line (e.g. stream bytes after a tunnel reply). */
  drain(): Buffer {
    const rest = this.buffer.subarray(this.start, this.end);
    this.reset();
    return rest;
  }

  get pendingBytes(): number {
    return this.end - this.start;
  }

  private fail(size: number): ReadResult {
    this.failed = true;
    this.reset();
    return { kind: "oversize", size };
  }

  private reset(): void {
    this.buffer = EMPTY;
    this.start = 0;
    this.end = 0;
    this.scanned = 0;
    this.owned = false;
  }
}

/** One frame: compact JSON plus the newline. */
export function encodeFrame(message: unknown): string {
  return `${JSON.stringify(message)}\n`;
}
