// A byte collector that keeps at most a head and a tail of a stream, so huge command output stays bounded.

/** Default cap per stream: 10 MiB, like the Python SDK's SSH helpers. */
export const DEFAULT_MAX_OUTPUT = 10 * 1024 * 1024;

export class CappedOutput {
  private readonly headLimit: number;
  private readonly tailLimit: number;
  private readonly head: Buffer[] = [];
  private headBytes = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  /** Every byte seen, kept or not. */
  total = 0;
  readonly limit: number;

  constructor(limit: number = DEFAULT_MAX_OUTPUT) {
    if (!(Number.isInteger(limit) && limit >= 0)) {
      throw new TypeError(`maxOutput must be a non-negative integer number of bytes (got ${limit})`);
    }
    this.limit = limit;
    this.headLimit = Math.ceil(limit / 2);
    this.tailLimit = limit - this.headLimit;
  }

  get truncated(): boolean {
    return this.total > this.limit;
  }

  push(chunk: Buffer): void {
    this.total += chunk.length;
    let rest = chunk;
    if (this.headBytes < this.headLimit) {
      const take = Math.min(this.headLimit - this.headBytes, rest.length);
      this.head.push(rest.subarray(0, take));
      this.headBytes += take;
      rest = rest.subarray(take);
    }
    if (rest.length === 0 || this.tailLimit === 0) return;
    this.tail.push(rest);
    this.tailBytes += rest.length;
    // Drop whole chunks from the front only when the rest still fills the tail; trim once at the end.
    while (this.tail.length > 1 && this.tailBytes - this.tail[0]!.length >= this.tailLimit) {
      this.tailBytes -= this.tail.shift()!.length;
    }
  }

  /** Everything when it fit; else head, a `[truncated N bytes]` line, and tail. */
  bytes(): Buffer {
    const tail = Buffer.concat(this.tail);
    const kept = tail.subarray(Math.max(0, tail.length - this.tailLimit));
    if (!this.truncated) return Buffer.concat([...this.head, kept]);
    const dropped = this.total - this.headBytes - kept.length;
    return Buffer.concat([...this.head, Buffer.from(`\n[truncated ${dropped} bytes]\n`), kept]);
  }
}
