// A container's log reply as text lines: Docker's multiplexed stream (8-byte frame headers) or raw TTY output.

const MAX_LINE_CHARS = 300;

/**
 * Without a TTY the engine frames output as `[stream, 0, 0, 0, size (4 bytes, big-endian)] payload`; stdout
 * and stderr frames interleave in write order. Anything that does not parse as frames is raw TTY text.
 */
export function demultiplex(body: Buffer): string {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < body.length) {
    if (offset + 8 > body.length) return body.toString("utf8");
    const stream = body[offset]!;
    const size = body.readUInt32BE(offset + 4);
    const padding = body[offset + 1]! | body[offset + 2]! | body[offset + 3]!;
    if (stream > 2 || padding !== 0 || offset + 8 + size > body.length) return body.toString("utf8");
    parts.push(body.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString("utf8");
}

/** The last `count` non-empty lines of a log reply, each cut to a readable length. */
export function logLines(body: Buffer, count: number): string[] {
  return demultiplex(body)
    .split(/\r?\n/)
    .map((line) => line.trimEnd())
    .filter((line) => line !== "")
    .slice(-count)
    .map((line) => (line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line));
}

/** Log lines on one line, for one-line errors. */
export function joinLogLines(lines: string[]): string {
  return lines.length === 0 ? "(no output)" : lines.join(" ⏎ ");
}
