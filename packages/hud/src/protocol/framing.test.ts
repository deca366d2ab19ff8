// FrameReader and encodeFrame: line splitting across chunk boundaries, the size cap, drain, and linear work.
import { describe, expect, it } from "vitest";
import { encodeFrame, FrameReader, type ReadResult } from "./framing.ts";

/** Pull every complete result currently available. */
function pullAll(reader: FrameReader): ReadResult[] {
  const out: ReadResult[] = [];
  for (let next = reader.next(); next; next = reader.next()) out.push(next);
  return out;
}

function lines(results: ReadResult[]): string[] {
  return results.map((r) => (r.kind === "frame" ? r.line.toString("utf8") : `<oversize ${r.size}>`));
}

/** Feed `text` in chunks of `size` bytes, pulling after every chunk. */
function feed(reader: FrameReader, bytes: Buffer, size: number): ReadResult[] {
  const out: ReadResult[] = [];
  for (let at = 0; at < bytes.length; at += size) {
    reader.push(bytes.subarray(at, at + size));
    out.push(...pullAll(reader));
  }
  return out;
}

describe("FrameReader", () => {
  it("returns nothing until a newline arrives, then the line without it", () => {
    const reader = new FrameReader();
    reader.push(Buffer.from('{"a":'));
    expect(reader.next()).toBeUndefined();
    reader.push(Buffer.from("1}"));
    expect(reader.next()).toBeUndefined();
    expect(reader.pendingBytes).toBe(7);
    reader.push(Buffer.from("\n"));
    expect(lines(pullAll(reader))).toEqual(['{"a":1}']);
    expect(reader.pendingBytes).toBe(0);
  });

  it("splits many lines arriving in one chunk, keeping the partial tail", () => {
    const reader = new FrameReader();
    reader.push(Buffer.from('{"n":1}\n{"n":2}\n{"n":3}\n{"n":'));
    expect(lines(pullAll(reader))).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
    expect(reader.pendingBytes).toBe(5);
    reader.push(Buffer.from("4}\n"));
    expect(lines(pullAll(reader))).toEqual(['{"n":4}']);
  });

  it("gives the same lines for every chunking, down to one byte at a time", () => {
    const text = Buffer.from(
      ['{"jsonrpc":"2.0","id":1,"method":"hello"}', "", '{"s":"é ✓ 😀"}', "x".repeat(5000), "tail"].join(
        "\n",
      ) + "\n",
    );
    const expected = lines(feed(new FrameReader(), text, text.length));
    expect(expected).toHaveLength(5);
    expect(expected[2]).toBe('{"s":"é ✓ 😀"}');
    for (const size of [1, 2, 3, 7, 64, 4999, 5001]) {
      expect(lines(feed(new FrameReader(), text, size)), `chunk size ${size}`).toEqual(expected);
    }
  });

  it("ends lines at \\n only: a trailing \\r stays in the line and JSON.parse treats it as whitespace", () => {
    const reader = new FrameReader();
    reader.push(Buffer.from('{"id":1}\r\n{"id":2}\r{"id":3}\n'));
    const got = pullAll(reader);
    expect(lines(got)).toEqual(['{"id":1}\r', '{"id":2}\r{"id":3}']);
    expect(JSON.parse(lines(got)[0]!)).toEqual({ id: 1 });
    expect(() => JSON.parse(lines(got)[1]!)).toThrow();
  });

  it("returns empty lines as empty frames (the JSON layer decides what they mean)", () => {
    const reader = new FrameReader();
    reader.push(Buffer.from("\n\n{}\n"));
    expect(lines(pullAll(reader))).toEqual(["", "", "{}"]);
  });

  it("accepts a line of exactly the limit and rejects one byte more", () => {
    const limit = 1000;
    const exact = new FrameReader(limit);
    exact.push(Buffer.from("a".repeat(limit)));
    expect(exact.next()).toBeUndefined(); // still waiting: the newline may come next
    exact.push(Buffer.from("\n"));
    const ok = exact.next();
    expect(ok?.kind).toBe("frame");
    expect(ok?.kind === "frame" && ok.line.length).toBe(limit);

    const over = new FrameReader(limit);
    over.push(Buffer.from(`${"a".repeat(limit + 1)}\n`));
    expect(over.next()).toEqual({ kind: "oversize", size: limit + 1 });
  });

  it("reports a line without a newline as oversize as soon as it passes the limit", () => {
    const reader = new FrameReader(100);
    const got = feed(reader, Buffer.from("b".repeat(150)), 10);
    expect(got).toEqual([{ kind: "oversize", size: 110 }]);
  });

  it("reports oversize once, then ignores everything (the caller closes)", () => {
    const reader = new FrameReader(10);
    reader.push(Buffer.from('{"ok":1}\n'));
    reader.push(Buffer.from(`${"z".repeat(20)}\n{"after":1}\n`));
    expect(lines(pullAll(reader))).toEqual(['{"ok":1}', "<oversize 20>"]);
    reader.push(Buffer.from('{"later":1}\n'));
    expect(reader.next()).toBeUndefined();
    expect(reader.pendingBytes).toBe(0);
    expect(reader.drain().length).toBe(0);
  });

  it("checks the limit per line, not per chunk", () => {
    const reader = new FrameReader(10);
    reader.push(Buffer.from("0123456789\n".repeat(50)));
    const got = pullAll(reader);
    expect(got).toHaveLength(50);
    expect(got.every((r) => r.kind === "frame" && r.line.length === 10)).toBe(true);
  });

  it("drain() returns the bytes after the last returned line, once", () => {
    const reader = new FrameReader();
    reader.push(Buffer.from('{"result":{}}\nSSH-2.0-'));
    reader.push(Buffer.concat([Buffer.from("OpenSSH\r\n"), Buffer.from([0x00, 0xff])]));
    expect(lines([reader.next()!])).toEqual(['{"result":{}}']);
    expect(reader.drain().toString("latin1")).toBe("SSH-2.0-OpenSSH\r\n\x00\xff");
    expect(reader.drain().length).toBe(0);
    expect(reader.pendingBytes).toBe(0);
  });

  it("keeps returned lines intact while more data arrives", () => {
    const reader = new FrameReader();
    reader.push(Buffer.from("first\nsec"));
    const first = reader.next();
    reader.push(Buffer.from("ond\nthird"));
    const second = reader.next();
    for (let i = 0; i < 200; i++) reader.push(Buffer.from("x".repeat(100)));
    reader.push(Buffer.from("\n"));
    const third = reader.next();
    expect(lines([first!, second!])).toEqual(["first", "second"]);
    expect(third?.kind === "frame" && third.line.length).toBe(5 + 20_000);
  });

  it("does linear work for a huge line arriving in many small chunks", () => {
    const scanned = { bytes: 0 };
    const copied = { bytes: 0 };
    const proto = Buffer.prototype as unknown as {
      indexOf: (this: Buffer, value: number, from?: number) => number;
      copy: (
        this: Buffer,
        target: Uint8Array,
        targetStart?: number,
        sourceStart?: number,
        sourceEnd?: number,
      ) => number;
    };
    const { indexOf, copy } = proto;
    proto.indexOf = function (this: Buffer, value: number, from = 0) {
      scanned.bytes += this.length - from;
      return indexOf.call(this, value, from);
    };
    proto.copy = function (this: Buffer, target, targetStart, sourceStart, sourceEnd) {
      const n = copy.call(this, target, targetStart, sourceStart, sourceEnd);
      copied.bytes += n;
      return n;
    };
    try {
      const total = 1 << 18;
      const reader = new FrameReader(2 * total);
      const byte = Buffer.from("q");
      const chunk = Buffer.alloc(1000, "w");
      // Half the line one byte at a time, half in 1000-byte chunks, pulling after each.
      for (let i = 0; i < total / 2; i++) {
        reader.push(byte);
        expect(reader.next()).toBeUndefined();
      }
      const chunks = Math.floor(total / 2 / 1000);
      for (let i = 0; i < chunks; i++) {
        reader.push(chunk);
        expect(reader.next()).toBeUndefined();
      }
      reader.push(Buffer.from("\n"));
      const result = reader.next();
      expect(result?.kind === "frame" && result.line.length).toBe(total / 2 + chunks * 1000);
      expect(scanned.bytes).toBeLessThan(2 * total);
      expect(copied.bytes).toBeLessThan(4 * total);
    } finally {
      proto.indexOf = indexOf;
      proto.copy = copy;
    }
  }, 10_000);
});

describe("encodeFrame", () => {
  it("writes compact JSON plus one newline, and the reader gets it back", () => {
    const message = {
      jsonrpc: "2.0",
      id: 7,
      method: "tasks.start",
      params: { id: "count", args: { s: "a\nb" } },
    };
    const frame = encodeFrame(message);
    expect(frame).toBe(
      '{"jsonrpc":"2.0","id":7,"method":"tasks.start","params":{"id":"count","args":{"s":"a\\nb"}}}\n',
    );
    const reader = new FrameReader();
    reader.push(Buffer.from(frame + frame));
    expect(pullAll(reader).map((r) => (r.kind === "frame" ? JSON.parse(r.line.toString()) : r))).toEqual([
      message,
      message,
    ]);
  });
});
