// The last lines a child process wrote (stdout and stderr interleaved), bounded in count and line length.
import type { Readable } from "node:stream";
import { StringDecoder } from "node:string_decoder";

const MAX_LINE_CHARS = 4096;

export class OutputTail {
  private readonly lines: string[] = [];
  private readonly maxLines: number;

  constructor(maxLines = 50) {
    this.maxLines = maxLines;
  }

  /** Drain `stream` for as long as it is open (a full pipe would block the child), calling `onLine` per line. */
  follow(stream: Readable, onLine?: (line: string) => void): void {
    const decoder = new StringDecoder("utf8");
    let partial = "";
    const emit = (line: string) => {
      const text = line.endsWith("\r") ? line.slice(0, -1) : line;
      this.push(text);
      onLine?.(text);
    };
    stream.on("data", (chunk: Buffer) => {
      partial += decoder.write(chunk);
      let newline = partial.indexOf("\n");
      while (newline !== -1) {
        emit(partial.slice(0, newline));
        partial = partial.slice(newline + 1);
        newline = partial.indexOf("\n");
      }
      if (partial.length > MAX_LINE_CHARS) {
        emit(partial);
        partial = "";
      }
    });
    stream.on("end", () => {
      partial += decoder.end();
      if (partial !== "") emit(partial);
      partial = "";
    });
    // A broken pipe only ends the output; the process's exit is reported elsewhere.
    stream.on("error", () => {});
  }

  private push(line: string): void {
    this.lines.push(line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}…` : line);
    if (this.lines.length > this.maxLines) this.lines.shift();
  }

  /** The retained lines, oldest first. */
  get recent(): string[] {
    return [...this.lines];
  }

  /** The retained lines as an indented block for error messages. */
  format(): string {
    return this.lines.length === 0 ? "  (no output)" : this.lines.map((line) => `  | ${line}`).join("\n");
  }
}
