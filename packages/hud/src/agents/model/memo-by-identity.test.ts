import { describe, expect, it } from "vitest";
import { memoByIdentity } from "./memo-by-identity.ts";

describe("memoByIdentity", () => {
  it("converts each input object once, undefined results included, and tells equal copies apart", () => {
    const calls: object[] = [];
    const convert = memoByIdentity((list: readonly string[]) => {
      calls.push(list);
      return list.length > 0 ? list.map((s) => s.toUpperCase()) : undefined;
    });
    const tools = ["a", "b"];
    const none: string[] = [];
    const first = convert(tools);
    expect(convert(tools)).toBe(first);
    expect(convert(none)).toBeUndefined();
    expect(convert(none)).toBeUndefined();
    expect(convert(["a", "b"])).not.toBe(first);
    expect(calls).toEqual([tools, none, ["a", "b"]]);
  });
});
