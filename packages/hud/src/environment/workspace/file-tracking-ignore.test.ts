// .gitignore matching, checked against git itself (`git check-ignore`, `git ls-files --others --exclude-standard`).
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FILETRACKING_LIMITS } from "../../capabilities/clients/filetracking-wire.ts";
import { scanTree } from "./file-tracker-scan.ts";
import { isIgnored, parseIgnoreFile } from "./file-tracking-ignore.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function repo(): string {
  const dir = mkdtempSync(join(tmpdir(), "hud-ignore-"));
  dirs.push(dir);
  git(dir, ["init", "-q"]);
  return dir;
}

function git(cwd: string, args: string[]) {
  return spawnSync("git", ["-c", "core.excludesFile=/dev/null", ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", HOME: cwd },
  });
}

function touch(root: string, path: string, isDir = false): void {
  const full = join(root, path);
  if (isDir) mkdirSync(full, { recursive: true });
  else {
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, "x\n");
  }
}

/** Whether `path` or a directory above it is ignored by the root rules (how a scan sees it). */
function oursIgnored(rules: string, path: string, isDir: boolean): boolean {
  const layers = [{ base: "", rules: parseIgnoreFile(rules) }];
  const parts = path.split("/");
  for (let i = 1; i < parts.length; i++)
    if (isIgnored(layers, parts.slice(0, i).join("/"), true)) return true;
  return isIgnored(layers, path, isDir);
}

const cases: [pattern: string, path: string, isDir?: boolean][] = [
  ["*.log", "a.log"],
  ["*.log", "dir/a.log"],
  ["*.log", "a.logx"],
  ["/root.txt", "root.txt"],
  ["/root.txt", "sub/root.txt"],
  ["doc/*.txt", "doc/a.txt"],
  ["doc/*.txt", "doc/x/a.txt"],
  ["doc/*.txt", "other/doc/a.txt"],
  ["build/", "build", true],
  ["build/", "build"],
  ["build/", "src/build", true],
  ["**/foo", "foo"],
  ["**/foo", "a/b/foo"],
  ["a/**/b", "a/b"],
  ["a/**/b", "a/x/y/b"],
  ["a/**/b", "c/a/x/b"],
  ["abc/**", "abc/x"],
  ["abc/**", "abc/x/y"],
  ["abc/**", "abc", true],
  ["a?c", "abc"],
  ["a?c", "ac"],
  ["[abc].txt", "a.txt"],
  ["[abc].txt", "d.txt"],
  ["[!abc].txt", "d.txt"],
  ["[!abc].txt", "a.txt"],
  ["[a-c]x", "bx"],
  ["[a-c]x", "dx"],
  ["[[:digit:]]*", "1abc"],
  ["[[:digit:]]*", "abc"],
  ["\\#hash", "#hash"],
  ["\\!bang", "!bang"],
  ["trailing   ", "trailing"],
  ["escaped\\ ", "escaped "],
  ["*.txt\n!keep.txt", "keep.txt"],
  ["*.txt\n!keep.txt", "other.txt"],
  ["out/\n!out/keep.txt", "out/keep.txt"],
  ["foo*bar", "fooxbar"],
  ["foo*bar", "foo/bar"],
  ["**", "anything"],
  ["# comment", "# comment"],
  ["x/y/", "x/y", true],
  ["x/y/", "a/x/y", true],
  ["nested/deep", "nested/deep"],
  ["*.py[co]", "m.pyc"],
  ["*.py[co]", "m.py"],
  ["a[", "a["],
  ["dir", "dir/inner.txt"],
  ["a\\*b", "a*b"],
  ["a\\*b", "axb"],
  ["*/b", "a/b"],
  ["*/b", "a/c/b"],
  ["/*.c", "x.c"],
  ["/*.c", "d/x.c"],
  ["**/m/**", "k/m/n"],
  ["[]a]z", "]z"],
  ["[^a]x", "bx"],
  ["[^a]x", "ax"],
  ["a.b", "axb"],
  ["(x)+", "(x)+"],
];

describe("gitignore patterns agree with git check-ignore", () => {
  for (const [pattern, path, isDir = false] of cases) {
    it(`${JSON.stringify(pattern)} vs ${path}${isDir ? "/" : ""}`, () => {
      const root = repo();
      writeFileSync(join(root, ".gitignore"), `${pattern}\n`);
      touch(root, path, isDir);
      const result = git(root, ["check-ignore", "-q", "--no-index", path]);
      expect(result.status === 0 || result.status === 1).toBe(true);
      expect(oursIgnored(pattern, path, isDir)).toBe(result.status === 0);
    });
  }
});

describe("a scan sees what git sees", () => {
  it("honours nested .gitignore files, negations and .git/info/exclude", async () => {
    const root = repo();
    const files = [
      "README.md",
      "app.log",
      "src/main.ts",
      "src/gen/out.ts",
      "src/gen/keep.ts",
      "src/.gitignore",
      "src/lib/util.ts",
      "src/lib/tmp.txt",
      "docs/a.md",
      "docs/private/secret-notes.md",
      "data/raw.csv",
      "data/sub/raw.csv",
      "local.only",
    ];
    for (const f of files) touch(root, f);
    writeFileSync(join(root, ".gitignore"), "*.log\n/data/*\n!/data/sub/\ndocs/private/\n");
    writeFileSync(join(root, "src/.gitignore"), "gen/*\n!gen/keep.ts\n*.txt\n");
    writeFileSync(join(root, ".git/info/exclude"), "local.only\n");
    const listed = git(root, ["ls-files", "--others", "--exclude-standard"]).stdout.trim().split("\n").sort();
    const scan = await scanTree(root, {
      maxFileBytes: FILETRACKING_LIMITS.maxFileBytes,
      maxDiffBytesPerFile: FILETRACKING_LIMITS.maxDiffBytesPerFile,
      maxFiles: 1000,
      maxTextBytes: 1 << 20,
      exclude: [],
    });
    expect([...scan.files.keys()].sort()).toEqual(listed);
    expect(listed).toContain("src/gen/keep.ts");
    expect(listed).toContain("data/sub/raw.csv");
  });
});
