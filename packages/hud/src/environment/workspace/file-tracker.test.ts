// FileTracker: samples, patches, secrets, excludes, limits, binaries and captures on a real temp directory.
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FileTracker, type FileTrackerOptions } from "./file-tracker.ts";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function workspace(files: Record<string, string | Buffer> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "hud-tracker-"));
  dirs.push(dir);
  for (const [path, content] of Object.entries(files)) write(dir, path, content);
  return dir;
}

function write(root: string, path: string, content: string | Buffer): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), content);
}

async function tracker(root: string, options?: FileTrackerOptions): Promise<FileTracker> {
  const t = new FileTracker(root, options);
  await t.start();
  return t;
}

describe("FileTracker diffs", () => {
  it("reports added, modified and deleted files with unified diffs, in path order", async () => {
    const root = workspace({ "keep.txt": "same\n", "mod.txt": "one\ntwo\nthree\n", "gone.txt": "bye\n" });
    const t = await tracker(root);
    write(root, "mod.txt", "one\n2\nthree\n");
    write(root, "src/new.ts", "export const x = 1;\n");
    unlinkSync(join(root, "gone.txt"));
    const diff = await t.diff();
    expect(diff.files_scanned).toBe(3);
    expect(diff.files_changed).toBe(3);
    expect(diff.truncated).toBeUndefined();
    expect(typeof diff.snapshot_timestamp).toBe("string");
    expect(diff.scan_duration_ms).toBeGreaterThanOrEqual(0);
    expect(diff.patches.map((p) => [p.path, p.status])).toEqual([
      ["gone.txt", "deleted"],
      ["mod.txt", "modified"],
      ["src/new.ts", "added"],
    ]);
    const [gone, mod, added] = diff.patches;
    expect(mod!.patch).toBe("--- a/mod.txt\n+++ b/mod.txt\n@@ -1,3 +1,3 @@\n one\n-two\n+2\n three\n");
    expect(added!.patch).toBe("--- /dev/null\n+++ b/src/new.ts\n@@ -0,0 +1 @@\n+export const x = 1;\n");
    expect(gone!.patch).toBe("--- a/gone.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-bye\n");
    expect(mod).toMatchObject({ size_before: 14, size_after: 12 });
    expect(mod!.content_hash_before).toMatch(/^[0-9a-f]{64}$/);
    expect(mod!.content_hash_after).not.toBe(mod!.content_hash_before);
    expect(added).toMatchObject({ size_before: null, content_hash_before: null, size_after: 20 });
    expect(gone).toMatchObject({ size_after: null, content_hash_after: null });
  });

  it("diffs against the previous sample: each change is reported once", async () => {
    const root = workspace({ "a.txt": "1\n" });
    const t = await tracker(root);
    write(root, "a.txt", "2\n");
    expect((await t.diff()).files_changed).toBe(1);
    expect((await t.diff()).patches).toEqual([]);
    // Same size, written right after the previous scan: still seen (the stat cache is not trusted then).
    write(root, "a.txt", "3\n");
    expect((await t.diff()).patches[0]!.patch).toContain("-2\n+3\n");
  });

  it("setup reports what changed since the baseline and starts from there; snapshot changes nothing", async () => {
    const root = workspace({ "a.txt": "1\n" });
    const t = await tracker(root);
    write(root, "task-setup.txt", "made by the task\n");
    const setup = await t.setup();
    expect(setup.patches.map((p) => p.path)).toEqual(["task-setup.txt"]);
    write(root, "agent.txt", "made by the agent\n");
    const snapshot = await t.snapshot();
    expect(snapshot.files_scanned).toBe(3);
    expect(snapshot.files.map((f) => f.path).sort()).toEqual(["a.txt", "agent.txt", "task-setup.txt"]);
    expect(snapshot.files[0]!.content_hash).toMatch(/^[0-9a-f]{64}$/);
    expect((await t.diff()).patches.map((p) => p.path)).toEqual(["agent.txt"]);
  });

  it("advance re-baselines without a diff", async () => {
    const root = workspace();
    const t = await tracker(root);
    write(root, "a.txt", "x\n");
    expect(await t.advance()).toEqual({ advanced: true });
    expect((await t.diff()).patches).toEqual([]);
  });
});

describe("FileTracker skips and redacts", () => {
  it("skips dependency trees, VCS data, caches, compiled files and gitignored paths", async () => {
    const root = workspace({ ".gitignore": "*.tmp\nout/\n" });
    const t = await tracker(root);
    for (const path of [
      "node_modules/pkg/index.js",
      ".git/HEAD",
      ".venv/lib/x.py",
      "__pycache__/m.cpython-312.pyc",
      "build/app.js",
      "mod.pyc",
      "scratch.tmp",
      "out/report.txt",
      "sub/.cache/blob",
    ]) {
      write(root, path, "ignored\n");
    }
    write(root, "src/app.py", "print('hi')\n");
    const diff = await t.diff();
    expect(diff.patches.map((p) => p.path)).toEqual(["src/app.py"]);
  });

  it("never shows the content of secret files, and leaves them out of snapshots", async () => {
    const root = workspace();
    const t = await tracker(root);
    const secrets = [
      ".env",
      ".env.local",
      "certs/server.pem",
      "id_ed25519",
      "keys/api_key",
      ".ssh/config",
      ".aws/credentials",
    ];
    for (const path of secrets) write(root, path, "TOP-SECRET-VALUE\n");
    write(root, ".env.example", "API_KEY=\n");
    const diff = await t.diff();
    const byPath = new Map(diff.patches.map((p) => [p.path, p]));
    for (const path of secrets) {
      const patch = byPath.get(path)!;
      expect(patch.patch).toBe(`[secret file redacted: ${path}]\n`);
      expect(patch.content_hash_after).toBeNull();
      expect(patch.size_after).toBe(17);
    }
    expect(byPath.get(".env.example")!.patch).toContain("+API_KEY=");
    expect(JSON.stringify(diff)).not.toContain("TOP-SECRET");
    const snapshot = await t.snapshot();
    expect(snapshot.files.map((f) => f.path)).toEqual([".env.example"]);
    expect(snapshot.files_scanned).toBe(secrets.length + 1);
  });

  it("redacts tokens and private keys inside ordinary files", async () => {
    const root = workspace();
    const t = await tracker(root);
    const key = [
      "-----BEGIN OPENSSH PRIVATE KEY-----",
      "b3BlbnNzaC1rZXktdjEAAAAA",
      "-----END OPENSSH PRIVATE KEY-----",
    ];
    write(
      root,
      "config.py",
      ["AWS = 'AKIAIOSFODNN7EXAMPLE'", `OPENAI = "sk-${"a".repeat(40)}"`, ...key, "DEBUG = True", ""].join(
        "\n",
      ),
    );
    const patch = (await t.diff()).patches[0]!.patch;
    expect(patch).not.toContain("AKIAIOSFODNN7EXAMPLE");
    expect(patch).not.toContain("aaaaaaaaaaaaaaaaaaaa");
    expect(patch).not.toContain("b3BlbnNzaC1rZXktdjEAAAAA");
    expect(patch).toContain("+AWS = '[REDACTED]'");
    expect(patch).toContain("+DEBUG = True");
    expect(patch.split("\n").filter((l) => l === "+[REDACTED]")).toHaveLength(3);
  });
});

describe("FileTracker limits", () => {
  it("gives binary files a placeholder patch", async () => {
    const root = workspace({ "blob.bin": Buffer.from([1, 0, 2]) });
    const t = await tracker(root);
    write(root, "blob.bin", Buffer.from([1, 0, 3]));
    write(root, "latin1.txt", Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    const diff = await t.diff();
    expect(diff.patches.map((p) => p.patch)).toEqual([
      "Binary files a/blob.bin and b/blob.bin differ\n",
      "Binary files /dev/null and b/latin1.txt differ\n",
    ]);
  });

  it("skips files over the size cap, and diffs neither big files nor big patches", async () => {
    const root = workspace();
    const t = await tracker(root, { maxFileBytes: 1000, maxDiffBytesPerFile: 100 });
    write(root, "huge.txt", "x".repeat(1001));
    write(root, "big.txt", `${"y".repeat(150)}\n`);
    write(root, "many.txt", "line\n".repeat(19));
    write(root, "small.txt", "ok\n");
    const diff = await t.diff();
    expect(diff.files_scanned).toBe(3);
    expect(Object.fromEntries(diff.patches.map((p) => [p.path, p.patch]))).toEqual({
      "big.txt": "[diff omitted: big.txt is larger than 100 bytes]\n",
      "many.txt": "[diff omitted: the patch of many.txt is larger than 100 bytes]\n",
      "small.txt": "--- /dev/null\n+++ b/small.txt\n@@ -0,0 +1 @@\n+ok\n",
    });
  });

  it("replaces patches past the total limit with placeholders and marks the result truncated", async () => {
    const root = workspace();
    const t = await tracker(root, { maxDiffBytesTotal: 120 });
    for (const name of ["a", "b", "c"]) write(root, `${name}.txt`, `${name.repeat(30)}\n`);
    const diff = await t.diff();
    expect(diff.truncated).toBe(true);
    expect(diff.files_changed).toBe(3);
    expect(diff.patches[0]!.patch).toContain("+aaaa");
    expect(diff.patches[2]!.patch).toMatch(/^\[diff omitted: the total diff limit/);
  });

  it("stops at the file limit without reporting unseen files as deleted", async () => {
    const root = workspace({ "a.txt": "a\n", "b.txt": "b\n", "c.txt": "c\n" });
    const t = await tracker(root, { maxFiles: 2 });
    write(root, "a.txt", "A\n");
    const diff = await t.diff();
    expect(diff.truncated).toBe(true);
    expect(diff.files_scanned).toBe(2);
    expect(diff.patches.map((p) => p.path)).toEqual(["a.txt"]);
  });
});

describe("FileTracker flush", () => {
  it("returns the last diff and captures the documents the session added or modified", async () => {
    const png = Buffer.from("89504e470d0a1a0a0000000d49484452", "hex");
    const root = workspace({ "old.pdf": "%PDF-1.4 unchanged" });
    const t = await tracker(root);
    await t.setup();
    write(root, "out/chart.png", png);
    write(root, "notes.md", "# notes\n");
    expect((await t.diff()).files_changed).toBe(2);
    write(root, "report.html", "<p>done</p>\n");
    const { diff, capture } = await t.flush();
    expect(diff.patches.map((p) => p.path)).toEqual(["report.html"]);
    expect(capture).toMatchObject({
      files_changed: 3,
      files_eligible: 2,
      files_captured: 2,
      files_skipped: 0,
    });
    expect(capture.truncated).toBeUndefined();
    expect(capture.files.map((f) => [f.path, f.status, f.content_type])).toEqual([
      ["out/chart.png", "added", "image/png"],
      ["report.html", "added", "text/html"],
    ]);
    const chart = capture.files[0]!;
    expect(Buffer.from(chart.file.data, "base64")).toEqual(png);
    expect(chart.file).toMatchObject({ type: "file", media_type: "image/png" });
    expect(chart.size).toBe(png.length);
  });

  it("skips documents past the capture limits", async () => {
    const root = workspace();
    const t = await tracker(root, {
      maxCaptureFiles: 2,
      maxCaptureBytesPerFile: 10,
      maxCaptureBytesTotal: 15,
    });
    write(root, "a.png", "12345678");
    write(root, "b.png", "123456789012");
    write(root, "c.png", "1234");
    write(root, "d.png", "12345");
    const { capture } = await t.flush();
    expect(capture.files.map((f) => f.path)).toEqual(["a.png", "c.png"]);
    expect(capture).toMatchObject({
      files_eligible: 4,
      files_captured: 2,
      files_skipped: 2,
      truncated: true,
    });
  });
});
