// Log replies: Docker's multiplexed frames and raw TTY text become the last lines, one line for errors.
import { describe, expect, it } from "vitest";
import { demultiplex, joinLogLines, logLines } from "./log-lines.ts";

const frame = (stream: 1 | 2, text: string) => {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

describe("container log lines", () => {
  it("joins stdout and stderr frames in write order, even when a line spans frames", () => {
    const body = Buffer.concat([frame(1, "starting\nhal"), frame(2, "f a line\n"), frame(1, "done\n")]);
    expect(demultiplex(body)).toBe("starting\nhalf a line\ndone\n");
  });

  it("reads output that is not framed (a TTY container) as text", () => {
    expect(demultiplex(Buffer.from("plain output\nsecond\n"))).toBe("plain output\nsecond\n");
  });

  it("keeps the last non-empty lines, each cut to a readable length", () => {
    const long = "x".repeat(400);
    const body = frame(2, `one\n\ntwo\r\n${long}\nthree\n`);
    expect(logLines(body, 3)).toEqual(["two", `${"x".repeat(300)}…`, "three"]);
  });

  it("puts lines on one line for an error message", () => {
    expect(joinLogLines(["a", "b"])).toBe("a ⏎ b");
    expect(joinLogLines([])).toBe("(no output)");
  });
});
