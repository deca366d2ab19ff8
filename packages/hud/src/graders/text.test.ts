// Text graders against tables whose expected values were produced by the Python SDK's semantics (python3 `re`).
import { describe, expect, it } from "vitest";
import { contains, containsAll, containsAny, exactMatch, f1Score, normalize, numericMatch } from "./text.ts";

const NORMALIZE: [string, string][] = [
  ["  The Answer is: 42! ", "answer is 42"],
  ["Caf\u00e9 au lait", "caf\u00e9 au lait"],
  ["CAF\u00c9", "caf\u00e9"],
  ["Cafe\u0301", "cafe"],
  [
    "\u5317\u4eac\u662f\u4e2d\u56fd\u7684\u9996\u90fd\u3002",
    "\u5317\u4eac\u662f\u4e2d\u56fd\u7684\u9996\u90fd",
  ],
  ["a cat, the dog & an owl", "cat dog owl"],
  ["Theater at the atheneum", "theater at atheneum"],
  ["\ud83d\ude00 smile \ud83d\ude00!", "smile"],
  ["\u0664\u0662 apples", "\u0664\u0662 apples"],
  ["snake_case-name", "snake_case name"],
  ["x\u00a0y\u3000z", "x y z"],
  ["a\u001cb\u0085c", "b c"],
  ["\u00c0\u00c9\u00ce\u00d5\u00dc", "\u00e0\u00e9\u00ee\u00f5\u00fc"],
  ["\u039f\u0394\u039f\u03a3", "\u03bf\u03b4\u03bf\u03c2"],
  ["\u0130stanbul", "i stanbul"],
  ["", ""],
  ["!!!", ""],
  ["A", ""],
  ["The the THE", ""],
  ["Stra\u00dfe", "stra\u00dfe"],
  ["na\u00efve r\u00e9sum\u00e9", "na\u00efve r\u00e9sum\u00e9"],
  ["e=mc\u00b2", "e mc\u00b2"],
  ["\u00bd cup", "\u00bd cup"],
  ["\u216b roman", "\u217b roman"],
  [
    "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e",
    "\u0928\u092e\u0938 \u0924 \u0926 \u0928 \u092f",
  ],
  ["don't stop", "don t stop"],
  ["x\ufeffy", "x y"],
  ["tab\tand\nnewline", "tab and newline"],
];
const EXACT: [string, string, number, number][] = [
  ["Paris", "paris", 1.0, 1.0],
  ["The Paris!", "paris", 1.0, 0.0],
  ["paris", "Paris, France", 0.0, 0.0],
  ["  Hello ", "hello", 1.0, 1.0],
  ["Caf\u00e9", "cafe", 0.0, 0.0],
  ["\u0664\u0662", "42", 0.0, 0.0],
  ["an apple", "apple", 1.0, 0.0],
  ["\u5317\u4eac", "\u5317\u4eac\u3002", 1.0, 0.0],
];
const NUMERIC: [string, number, number, number][] = [
  ["The answer is 42", 42, 0, 1.0],
  ["-3.5 degrees", -3.5, 0, 1.0],
  ["1,000 people", 1000, 0, 0.0],
  ["1,000 people", 1, 0, 1.0],
  ["1e5", 100000.0, 0, 0.0],
  ["1e5", 1, 0, 1.0],
  ["no digits", 0, 0, 0.0],
  ["3.14159", 3.14, 0.01, 1.0],
  ["3.14159", 3.14, 0, 0.0],
  ["\u0664\u0662 apples", 42, 0, 1.0],
  ["x=\u0661\u0662.\u0665", 12.5, 0, 1.0],
  ["version 2. then", 2, 0, 1.0],
  ["\u22125", -5, 0, 0.0],
  ["\u22125", 5, 0, 1.0],
  ["-0", 0, 0, 1.0],
  ["abc 7 and 8", 8, 0, 0.0],
  [".5", 0.5, 0, 0.0],
  [".5", 5, 0, 1.0],
  ["\u0967\u0968\u0969", 123, 0, 1.0],
  ["\ud835\udfd7", 9, 0, 1.0],
  ["12", 11, 1, 1.0],
  ["12", 10, 1.5, 0.0],
];
const F1: [string, string, number][] = [
  ["The capital is Paris, France", "Paris", 0.4],
  ["Paris", "Paris", 1.0],
  ["paris paris", "paris", 0.6666666666666666],
  ["a the an", "", 0.0],
  ["", "x", 0.0],
  ["cat dog", "dog cat", 1.0],
  ["New York City", "new york", 0.8],
  ["\u5317\u4eac \u4e0a\u6d77", "\u5317\u4eac", 0.6666666666666666],
  ["na\u00efve caf\u00e9", "naive cafe", 0.0],
  ["one two two", "two two three", 0.6666666666666666],
];
const CONTAINS: [string, string, boolean, number][] = [
  ["Hello World", "world", false, 1.0],
  ["Hello World", "world", true, 0.0],
  ["Hello", "", false, 1.0],
  ["", "", false, 1.0],
  ["\u00c9COLE", "\u00e9cole", false, 1.0],
  ["Stra\u00dfe", "STRASSE", false, 0.0],
  ["\u0130", "i", false, 1.0],
];

describe("normalize", () => {
  it.each(NORMALIZE)("normalize(%j) = %j", (input, expected) => {
    expect(normalize(input)).toBe(expected);
  });

  it("stringifies non-strings; null and undefined read as empty", () => {
    expect([normalize(42), normalize(true), normalize(null), normalize(undefined)]).toEqual([
      "42",
      "true",
      "",
      "",
    ]);
  });
});

describe("exactMatch", () => {
  it.each(EXACT)("exactMatch(%j, %j) = %d normalized, %d raw", (answer, expected, normalized, raw) => {
    expect(exactMatch(answer, expected)).toBe(normalized);
    expect(exactMatch(answer, expected, { normalizeText: true })).toBe(normalized);
    expect(exactMatch(answer, expected, { normalizeText: false })).toBe(raw);
  });

  it("compares numbers as their text", () => {
    expect(exactMatch(42, "42")).toBe(1);
  });
});

describe("numericMatch", () => {
  it.each(NUMERIC)("numericMatch(%j, %d, tolerance %d) = %d", (answer, expected, tolerance, score) => {
    expect(numericMatch(answer, expected, { tolerance })).toBe(score);
  });

  it("defaults to zero tolerance and reads numbers given as numbers", () => {
    expect(numericMatch("7.0", 7)).toBe(1);
    expect(numericMatch("7.01", 7)).toBe(0);
    expect(numericMatch(3.5, 3.5)).toBe(1);
  });
});

describe("f1Score", () => {
  it.each(F1)("f1Score(%j, %j) = %d", (answer, reference, score) => {
    expect(f1Score(answer, reference)).toBeCloseTo(score, 12);
  });
});

describe("contains", () => {
  it.each(CONTAINS)("contains(%j, %j, caseSensitive %s) = %d", (answer, sub, caseSensitive, score) => {
    expect(contains(answer, sub, { caseSensitive })).toBe(score);
  });

  it("is case-insensitive by default", () => {
    expect(contains("Hello World", "WORLD")).toBe(1);
  });
});

describe("containsAny / containsAll", () => {
  const cases: [string[], boolean, number, number][] = [
    [["cat", "dog"], false, 1, 0],
    [["CAT", "bird"], false, 1, 1],
    [["CAT", "bird"], true, 1, 0],
    [[], false, 0, 1],
    [[""], false, 1, 1],
    [["fish"], false, 0, 0],
  ];
  it.each(cases)("subs %j (caseSensitive %s): any %d, all %d", (subs, caseSensitive, any, all) => {
    const answer = subs.includes("dog") ? "a cat" : "a cat and a bird";
    expect(containsAny(answer, subs, { caseSensitive })).toBe(any);
    expect(containsAll(answer, subs, { caseSensitive })).toBe(all);
  });
});
