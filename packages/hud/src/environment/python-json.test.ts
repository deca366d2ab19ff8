// pythonJsonDumps must produce Python's json.dumps(value, sort_keys=True) byte for byte (slugs hash it).
import { describe, expect, it } from "vitest";
import { pythonJsonDumps } from "./python-json.ts";

// Expected texts were produced by CPython 3 json.dumps(case, sort_keys=True).
const CASES: [unknown, string][] = [
  [{ b: 2, a: 1 }, '{"a": 1, "b": 2}'],
  [{ s: "é" }, '{"s": "\\u00e9"}'],
  [{ emoji: "😀", cjk: "漢字" }, '{"cjk": "\\u6f22\\u5b57", "emoji": "\\ud83d\\ude00"}'],
  [
    { nested: { z: [1, 2, { y: null, x: true }], a: false } },
    '{"nested": {"a": false, "z": [1, 2, {"x": true, "y": null}]}}',
  ],
  [{ x: 0.5 }, '{"x": 0.5}'],
  [{ x: 1e-5 }, '{"x": 1e-05}'],
  [{ x: 1.5e-7 }, '{"x": 1.5e-07}'],
  [{ x: 0.0001 }, '{"x": 0.0001}'],
  [{ x: 123456.789 }, '{"x": 123456.789}'],
  [{ x: 0.1 + 0.2 }, '{"x": 0.30000000000000004}'],
  [{ x: 1e21 }, '{"x": 1e+21}'],
  [{ x: 5e-324 }, '{"x": 5e-324}'],
  [{ x: 1.7976931348623157e308 }, '{"x": 1.7976931348623157e+308}'],
  [{ x: -2.5 }, '{"x": -2.5}'],
  [{ ctrl: 'a\nb\t"c"\\ \u0001 \u007f' }, '{"ctrl": "a\\nb\\t\\"c\\"\\\\ \\u0001 \\u007f"}'],
  // Keys sort by code point (Python), not UTF-16 unit: U+FFFF before U+1F600.
  [{ é: 1, e: 2, "😀": 3, "\uffff": 4 }, '{"e": 2, "\\u00e9": 1, "\\uffff": 4, "\\ud83d\\ude00": 3}'],
  [{ list: [], obj: {}, big: 9007199254740991 }, '{"big": 9007199254740991, "list": [], "obj": {}}'],
];

describe("pythonJsonDumps", () => {
  it.each(CASES)("%j", (value, expected) => {
    expect(pythonJsonDumps(value)).toBe(expected);
  });

  it("writes integral numbers as Python ints (JSON gives no int/float distinction)", () => {
    expect(pythonJsonDumps({ n: 3 })).toBe('{"n": 3}');
    expect(pythonJsonDumps([-0])).toBe("[0]");
  });

  it("rejects circular data instead of recursing forever", () => {
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    expect(() => pythonJsonDumps(loop)).toThrow(/circular/i);
  });

  it("writes a value seen twice (not a cycle) both times", () => {
    const shared = { k: 1 };
    expect(pythonJsonDumps({ a: shared, b: shared })).toBe('{"a": {"k": 1}, "b": {"k": 1}}');
  });
});
