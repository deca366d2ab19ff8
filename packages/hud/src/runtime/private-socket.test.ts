// Private socket paths: a fresh 0700 directory each, removed on request; none where a socket would not fit.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { privateSocket, removeOrphanedSocketDir } from "./private-socket.ts";

const saved = process.env.TMPDIR;
const made: string[] = [];

afterEach(() => {
  if (saved === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = saved;
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("privateSocket", () => {
  it("gives a path in a fresh directory only this user can enter, and removes it", () => {
    const a = privateSocket()!;
    const b = privateSocket()!;
    expect(a.path).toMatch(/\/hud-[^/]+\/control\.sock$/);
    expect(dirname(a.path)).not.toBe(dirname(b.path));
    expect(statSync(dirname(a.path)).mode & 0o777).toBe(0o700);
    a.remove();
    b.remove();
    expect(existsSync(dirname(a.path))).toBe(false);
  });

  it("gives none when the temporary directory is too deep for a socket path, or cannot be written", () => {
    const base = mkdtempSync(join(tmpdir(), "hud-deep-"));
    made.push(base);
    const deep = join(base, "d".repeat(100));
    mkdirSync(deep);
    process.env.TMPDIR = deep;
    expect(privateSocket()).toBeUndefined();
    // Nothing is left behind by the attempt.
    expect(statSync(deep).isDirectory()).toBe(true);
    expect(readdirSync(deep)).toEqual([]);
    process.env.TMPDIR = join(base, "missing");
    expect(privateSocket()).toBeUndefined();
  });
});

describe("removeOrphanedSocketDir", () => {
  it("removes an empty private directory and touches nothing else", () => {
    const base = mkdtempSync(join(tmpdir(), "orphans-"));
    made.push(base);
    const own = privateSocket()!;
    removeOrphanedSocketDir(own.path);
    expect(existsSync(dirname(own.path))).toBe(false);
    // Not empty: kept.
    const busy = privateSocket()!;
    made.push(dirname(busy.path));
    writeFileSync(join(dirname(busy.path), "other"), "x");
    removeOrphanedSocketDir(busy.path);
    expect(existsSync(join(dirname(busy.path), "other"))).toBe(true);
    // A user's own --socket path: its (empty) directory is not ours to remove.
    const mine = join(base, "sockets");
    mkdirSync(mine);
    removeOrphanedSocketDir(join(mine, "control.sock"));
    const lookalike = join(base, "hud-abcdef");
    mkdirSync(lookalike);
    removeOrphanedSocketDir(join(lookalike, "serve.sock"));
    expect(existsSync(mine) && existsSync(lookalike)).toBe(true);
  });
});
