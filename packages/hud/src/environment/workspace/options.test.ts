// Workspace option defaults and validation.
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, resolveOptions, UID_RANGE } from "./options.ts";

describe("resolveOptions", () => {
  it("fills in the documented defaults", () => {
    const options = resolveOptions({}, "/srv/root", 0);
    expect(options).toMatchObject({
      name: "shell",
      user: "agent",
      cwd: "/workspace",
      network: false,
      env: {},
      isolation: "bwrap",
      trackFiles: true,
      bwrapPath: "bwrap",
      execTimeout: 600,
      snapshot: true,
      limits: DEFAULT_LIMITS,
    });
    expect(DEFAULT_LIMITS).toMatchObject({
      processes: 512,
      fileSize: 1024 ** 3,
      cpuTime: 3600,
      openFiles: 4096,
    });
  });

  it("drops root to a fresh uid per workspace, or to the one given; never when not root", () => {
    const a = resolveOptions({}, "/r", 0).drop!;
    const b = resolveOptions({}, "/r", 0).drop!;
    expect(a.uid).toBeGreaterThanOrEqual(UID_RANGE.from);
    expect(a.uid).toBeLessThan(UID_RANGE.to);
    expect(a.gid).toBe(a.uid);
    expect(a.uid === b.uid).toBe(false);
    expect(resolveOptions({ uid: 65534 }, "/r", 0).drop).toEqual({ uid: 65534, gid: 65534 });
    expect(resolveOptions({ uid: 0 }, "/r", 0).drop).toBeUndefined();
    expect(resolveOptions({}, "/r", 1000).drop).toBeUndefined();
    expect(() => resolveOptions({ uid: 5 }, "/r", 1000)).toThrow(/need the server to run as root/);
  });

  it("uses the real root as the working directory without isolation", () => {
    expect(resolveOptions({ isolation: "none" }, "/srv/root", 0).cwd).toBe("/srv/root");
    expect(resolveOptions({ cwd: "/work/dir/" }, "/srv/root", 0).cwd).toBe("/work/dir");
  });

  it("rejects what cannot work, naming it", () => {
    expect(() => resolveOptions({ cwd: "/" }, "/r", 0)).toThrow(/'cwd' cannot be '\/'/);
    expect(() => resolveOptions({ cwd: "/tmp/w" }, "/r", 0)).toThrow(/sandbox mounts that path/);
    expect(() => resolveOptions({ cwd: "/run/hud" }, "/r", 0)).toThrow(/sandbox mounts that path/);
    expect(() => resolveOptions({ limits: { fileSize: 1.5 } }, "/r", 0)).toThrow(/limits\.fileSize/);
    expect(() => resolveOptions({ env: { A: "x\0y" } }, "/r", 0)).toThrow(/'A'/);
    expect(() => resolveOptions({ user: "a b" }, "/r", 0)).toThrow(/'user'/);
    expect(() => resolveOptions({ execTimeout: 0 }, "/r", 0)).toThrow(/execTimeout/);
  });
});
