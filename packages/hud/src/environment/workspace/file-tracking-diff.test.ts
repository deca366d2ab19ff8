// unifiedDiff against GNU `diff -u` (same text byte for byte), and against `patch` for random edits.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { diffOps, splitLines, unifiedDiff } from "./file-tracking-diff.ts";

const dir = mkdtempSync(join(tmpdir(), "hud-diff-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** GNU diff's output for the same pair (labels as git's a/ b/). */
function gnuDiff(before: string | undefined, after: string | undefined): string {
  const a = join(dir, "before");
  const b = join(dir, "after");
  if (before !== undefined) writeFileSync(a, before);
  if (after !== undefined) writeFileSync(b, after);
  const result = spawnSync(
    "diff",
    [
      "-u",
      "--label",
      before === undefined ? "/dev/null" : "a/f.txt",
      "--label",
      after === undefined ? "/dev/null" : "b/f.txt",
      before === undefined ? "/dev/null" : a,
      after === undefined ? "/dev/null" : b,
    ],
    { encoding: "utf8" },
  );
  return result.stdout;
}

function ours(before: string | undefined, after: string | undefined): string {
  return unifiedDiff(before ?? "", after ?? "", {
    from: before === undefined ? "/dev/null" : "a/f.txt",
    to: after === undefined ? "/dev/null" : "b/f.txt",
  });
}

const lines = (n: number, tag = "line") => Array.from({ length: n }, (_, i) => `${tag} ${i + 1}\n`).join("");

function edit(text: string, at: number, replacement: string[]): string {
  const parts = splitLines(text);
  parts.splice(at, 1, ...replacement);
  return parts.join("");
}

describe("unifiedDiff matches diff -u", () => {
  const base = lines(30);
  const cases: [string, string | undefined, string | undefined][] = [
    ["one changed line in the middle", base, edit(base, 14, ["changed\n"])],
    ["a line inserted at the start", base, `new first\n${base}`],
    ["a line appended", base, `${base}last\n`],
    ["the first line deleted", base, edit(base, 0, [])],
    ["changes 6 lines apart share a hunk", base, edit(edit(base, 5, ["x\n"]), 12, ["y\n"])],
    ["changes 7 lines apart get two hunks", base, edit(edit(base, 5, ["x\n"]), 13, ["y\n"])],
    ["a block replaced by more lines", base, edit(base, 10, ["a\n", "b\n", "c\n"])],
    ["final newline removed", "a\nb\nc\n", "a\nb\nc"],
    ["final newline added", "a\nb\nc", "a\nb\nc\n"],
    ["last line changed without final newlines", "a\nb\nc", "a\nb\nd"],
    ["a new file", undefined, "one\ntwo\nthree\n"],
    ["a new file without a final newline", undefined, "only"],
    ["a deleted file", "one\ntwo\n", undefined],
    ["crlf lines", "a\r\nb\r\nc\r\n", "a\r\nB\r\nc\r\n"],
    ["unicode", "héllo\nwörld\n", "héllo\nwèrld\n"],
    ["everything replaced", lines(5, "old"), lines(4, "new")],
  ];
  for (const [name, before, after] of cases) {
    it(name, () => {
      expect(ours(before, after)).toBe(gnuDiff(before, after));
    });
  }

  it("is empty for equal texts", () => {
    expect(ours("same\n", "same\n")).toBe("");
  });
});

/** A deterministic pseudo-random generator (tests must not flake). */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

function applyPatch(before: string, patch: string): string {
  const file = join(dir, "target");
  writeFileSync(file, before);
  writeFileSync(join(dir, "p.diff"), patch);
  const result = spawnSync("patch", ["-s", "-f", "-o", join(dir, "patched"), file, join(dir, "p.diff")], {
    encoding: "utf8",
  });
  expect(result.stderr).toBe("");
  return readFileSync(join(dir, "patched"), "utf8");
}

describe("unifiedDiff on random edits", () => {
  it("gives patches that `patch` applies, with as few changed lines as diff -u", () => {
    const next = random(42);
    const pick = (n: number) => Math.floor(next() * n);
    for (let round = 0; round < 60; round++) {
      const alphabet = ["a\n", "b\n", "c\n", "d\n", "e\n", "f\n"];
      const before = Array.from({ length: 5 + pick(40) }, () => alphabet[pick(alphabet.length)]!);
      const after = [...before];
      for (let e = 0; e < 1 + pick(6); e++) {
        const at = pick(after.length + 1);
        const kind = pick(3);
        if (kind === 0) after.splice(at, 0, alphabet[pick(alphabet.length)]!);
        else if (kind === 1) after.splice(at, 1);
        else after.splice(at, 1, "z\n");
      }
      const a = before.join("");
      const b = after.join("");
      const patch = ours(a, b);
      if (a === b) continue;
      expect(applyPatch(a, patch)).toBe(b);
      const changed = (text: string) => text.split("\n").filter((l) => /^[-+](?![-+]{2} )/.test(l)).length;
      expect(changed(patch)).toBe(changed(gnuDiff(a, b)));
    }
  });

  it("falls back to replacing the middle when the edit distance is over the limit", () => {
    const a = splitLines(lines(50, "a"));
    const b = splitLines(lines(50, "b"));
    const ops = diffOps(["same\n", ...a, "end\n"], ["same\n", ...b, "end\n"], 10);
    expect(ops.join("")).toBe(`=${"-".repeat(50)}${"+".repeat(50)}=`);
  });
});
