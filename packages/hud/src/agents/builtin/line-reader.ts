// Reads answers from a stream, one at a time: lines until a single "." or end of input; leftovers wait for the next.
import { StringDecoder } from "node:string_decoder";

export class LineReader {
  private readonly input: NodeJS.ReadableStream;
  private readonly decoder = new StringDecoder("utf8");
  private buffer = "";
  private ended = false;

  constructor(input: NodeJS.ReadableStream) {
    this.input = input;
  }

  /** The lines up to (not including) a line holding only ".", or everything left at end of input. */
  async readAnswer(signal?: AbortSignal): Promise<string> {
    const lines: string[] = [];
    for (;;) {
      let newline = this.buffer.indexOf("\n");
      while (newline >= 0) {
        const line = this.buffer.slice(0, newline).replace(/\r$/, "");
        this.buffer = this.buffer.slice(newline + 1);
        if (line === ".") return lines.join("\n");
        lines.push(line);
        newline = this.buffer.indexOf("\n");
      }
      if (this.ended) {
        const rest = this.buffer + this.decoder.end();
        this.buffer = "";
        if (rest !== "" && rest !== ".") lines.push(rest);
        return lines.join("\n");
      }
      await this.nextChunk(signal);
    }
  }

  /** Wait for one chunk (or the end); the stream is paused again afterwards so it never holds the process open. */
  private nextChunk(signal?: AbortSignal): Promise<void> {
    const input = this.input;
    if ((input as { readableEnded?: boolean }).readableEnded) {
      this.ended = true;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const cleanup = () => {
        input.off("data", onData);
        input.off("end", onEnd);
        input.off("error", onEnd);
        signal?.removeEventListener("abort", onAbort);
        input.pause();
      };
      const onData = (chunk: string | Buffer) => {
        this.buffer += typeof chunk === "string" ? chunk : this.decoder.write(chunk);
        cleanup();
        resolve();
      };
      const onEnd = () => {
        this.ended = true;
        cleanup();
        resolve();
      };
      const onAbort = () => {
        cleanup();
        reject(signal?.reason);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener("abort", onAbort, { once: true });
      input.on("data", onData);
      input.once("end", onEnd);
      input.once("error", onEnd);
      input.resume();
    });
  }
}
