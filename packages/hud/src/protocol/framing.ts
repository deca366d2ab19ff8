// NDJSON framing: split a byte stream into lines with a hard size cap, and encode frames.

/** Default largest frame accepted (16 MiB), excluding the newline. */
export const DEFAULT_MAX_FRAME_BYTES = 16 * 1024 * 1024;

const NEWLINE = 0x0a;

export type ReadResult = { kind: "frame"; line: Buffer } | { kind: "oversize"; size: number };

/**
 * Incremental line splitter. Feed chunks, pull complete lines. A line longer than
 * `maxBytes` is reported once as `oversize`; the reader is then unusable (the caller closes).
 */
export class FrameReader {
  readonly maxBytes: number;
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes of `chunks` already scanned for a newline (so rescans stay linear). */
  private scanned = 0;
  private failed = false;

  constructor(maxBytes = DEFAULT_MAX_FRAME_BYTES) {
    this.maxBytes = maxBytes;
  }

  push(chunk: Buffer): void {
    if (this.failed || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /** Next complete line, `oversize` when the pending line exceeds the cap, or undefined for "need more". */
  next(): ReadResult | undefined {
    if (this.failed) return undefined;
    let offset = 0;
    for (let i = 0; i < this.chunks.length; i++) {
      const chunk = this.chunks[i]!;
      const start = offset + chunk.length <= this.scanned ? chunk.length : Math.max(0, this.scanned - offset);
      const at = start < chunk.length ? chunk.indexOf(NEWLINE, start) : -1;
      if (at >= 0) {
        const lineLength = offset + at;
        if (lineLength > this.maxBytes) return this.fail(lineLength);
        const line = this.take(lineLength + 1).subarray(0, lineLength);
        return { kind: "frame", line };
      }
      offset += chunk.length;
    }
    this.scanned = this.buffered;
    if (this.buffered > this.maxBytes) return this.fail(this.buffered);
    return undefined;
  }

  /** Everything buffered and not yet returned as a line (e.g. stream bytes after a tunnel reply). */
  drain(): Buffer {
    const rest = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    this.chunks = [];
    this.buffered = 0;
    this.scanned = 0;
    return rest;
  }

  get pendingBytes(): number {
    return this.buffered;
  }

  private fail(size: number): ReadResult {
    this.failed = true;
    this.chunks = [];
    this.buffered = 0;
    this.scanned = 0;
    return { kind: "oversize", size };
  }

  /** Remove and return the first `n` buffered bytes. */
  private take(n: number): Buffer {
    this.buffered -= n;
    this.scanned = 0;
    const first = this.chunks[0]!;
    if (first.length === n) {
      this.chunks.shift();
      return first;
    }
    if (first.length > n) {
      this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.chunks[0]!;
      const want = n - filled;
      if (chunk.length <= want) {
        chunk.copy(out, filled);
        filled += chunk.length;
        this.chunks.shift();
      } else {
        chunk.copy(out, filled, 0, want);
        this.chunks[0] = chunk.subarray(want);
        filled += want;
      }
    }
    return out;
  }
}

/** One frame: compact JSON plus the newline. */
export function encodeFrame(message: unknown): string {
  return `${JSON.stringify(message)}\n`;
}
