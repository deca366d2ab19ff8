// CappedOutput: head and tail kept around a truncation marker, across chunk boundaries, in bounded memory.
import { describe, expect, it } from "vitest";
import { CappedOutput } from "./capped-output.ts";

function collect(limit: number, chunks: string[]): CappedOutput {
  const output = new CappedOutput(limit);
  for (const chunk of chunks) output.push(Buffer.from(chunk));
  return output;
}

describe("CappedOutput", () => {
  it("keeps everything up to the limit", () => {
    const output = collect(10, ["abc", "defghij"]);
    expect(output.truncated).toBe(false);
    expect(output.bytes().toString()).toBe("abcdefghij");
  });

  it("keeps the head and the tail around a marker counting the dropped bytes, across chunk boundaries", () => {
    const output = collect(6, ["ab", "cdef", "ghij", "k", "lmnop"]);
    expect(output.truncated).toBe(true);
    expect(output.total).toBe(16);
    expect(output.bytes().toString()).toBe("abc\n[truncated 10 bytes]\nnop");
  });

  it("bounds memory to the limit plus one chunk however much arrives", () => {
    const output = new CappedOutput(100);
    for (let i = 0; i < 10_000; i++) output.push(Buffer.alloc(1000, (i % 26) + 97));
    expect(output.bytes().length).toBe(100 + "\n[truncated 9999900 bytes]\n".length);
  });

  it("an odd limit gives the extra byte to the head; a zero limit keeps only the marker", () => {
    expect(collect(3, ["abcdefg"]).bytes().toString()).toBe("ab\n[truncated 4 bytes]\ng");
    expect(collect(0, ["abc"]).bytes().toString()).toBe("\n[truncated 3 bytes]\n");
    expect(() => new CappedOutput(-1)).toThrow("maxOutput must be a non-negative integer");
  });
});
