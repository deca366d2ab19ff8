// The sandbox's argv, pinned: namespaces, mounts, limits, uid drop and the clean environment.
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "./options.ts";
import {
  bwrapArgv,
  commandArgv,
  commandEnv,
  groupWith,
  joinArgv,
  passwdWith,
  ptyArgv,
  SANDBOX_HOME,
  SANDBOX_NODE,
  shellQuote,
  spawnedArgv,
  spawnerArgv,
} from "./sandbox-argv.ts";

const spec = {
  root: "/srv/task",
  cwd: "/workspace",
  network: false,
  hostname: "workspace",
  tmpSize: 1024,
  drop: { uid: 1900000001, gid: 1900000001 },
};

/** The argument after `flag` (each occurrence), e.g. pairs of --ro-bind. */
function after(argv: string[], flag: string, count = 1): string[][] {
  const out: string[][] = [];
  argv.forEach((arg, i) => {
    if (arg === flag) out.push(argv.slice(i + 1, i + 1 + count));
  });
  return out;
}

describe("bwrapArgv", () => {
  it("unshares pid, ipc, uts and the network, and mounts system directories read-only", () => {
    const argv = bwrapArgv(spec);
    for (const flag of [
      "--unshare-pid",
      "--unshare-ipc",
      "--unshare-uts",
      "--unshare-net",
      "--die-with-parent",
    ]) {
      expect(argv).toContain(flag);
    }
    expect(after(argv, "--ro-bind", 2)).toEqual([
      ["/usr", "/usr"],
      ["/etc", "/etc"],
    ]);
    expect(after(argv, "--bind", 2)).toEqual([["/srv/task", "/workspace"]]);
    expect(after(argv, "--chdir")).toEqual([["/workspace"]]);
    expect(after(argv, "--tmpfs")).toEqual([["/tmp"]]);
    expect(after(argv, "--size")).toEqual([["1024"]]);
    expect(argv).toContain("--clearenv");
    expect(after(argv, "--proc")).toEqual([["/proc"]]);
    expect(after(argv, "--dev")).toEqual([["/dev"]]);
    // The sandbox's own root goes read-only after the mounts are made.
    expect(after(argv, "--remount-ro")).toEqual([["/"]]);
    expect(argv.indexOf("--remount-ro")).toBeGreaterThan(argv.lastIndexOf("--bind"));
  });

  it("mounts the server's Node read-only for the spawner, when given", () => {
    expect(after(bwrapArgv({ ...spec, node: "/opt/node/bin/node" }), "--ro-bind", 2)).toContainEqual([
      "/opt/node/bin/node",
      SANDBOX_NODE,
    ]);
    expect(bwrapArgv(spec)).not.toContain(SANDBOX_NODE);
  });

  it("maps an unprivileged server to the user namespace's uid 0 (so nsenter can join every namespace)", () => {
    expect(bwrapArgv({ ...spec, drop: undefined, userns: true }).slice(0, 5)).toEqual([
      "--unshare-user",
      "--uid",
      "0",
      "--gid",
      "0",
    ]);
    expect(bwrapArgv(spec)).not.toContain("--unshare-user");
  });

  it("keeps the host network only when asked", () => {
    expect(bwrapArgv({ ...spec, network: true })).not.toContain("--unshare-net");
  });

  it("creates $HOME for the dropped uid, and mounts the identity files over /etc/passwd and /etc/group", () => {
    const argv = bwrapArgv({ ...spec, identity: { passwd: "/k/passwd", group: "/k/group" } });
    expect(argv.at(-1)).toContain(`chown 1900000001:1900000001 ${SANDBOX_HOME}`);
    expect(after(argv, "--ro-bind", 2)).toContainEqual(["/k/passwd", "/etc/passwd"]);
    expect(after(argv, "--ro-bind", 2)).toContainEqual(["/k/group", "/etc/group"]);
    expect(bwrapArgv({ ...spec, drop: undefined }).at(-1)).not.toContain("chown");
  });
});

describe("joinArgv", () => {
  it("enters every namespace of the sandbox and its root and working directory", () => {
    expect(joinArgv({ pid: 42, network: false, userns: false })).toEqual([
      "--target",
      "42",
      "--mount",
      "--uts",
      "--ipc",
      "--net",
      "--pid",
      "--root",
      "--wd",
      "--",
    ]);
    const unprivileged = joinArgv({ pid: 42, network: true, userns: true });
    expect(unprivileged).toContain("--user");
    expect(unprivileged).not.toContain("--net");
  });
});

describe("commandArgv", () => {
  const env = { PATH: "/usr/bin", HOME: "/tmp/home" };

  it("applies the limits, drops to the uid without privileges, then runs with exactly `env`", () => {
    const argv = commandArgv(
      { limits: { ...DEFAULT_LIMITS, processes: 7, fileSize: 99 }, drop: spec.drop, privileged: true, env },
      ["/bin/bash", "-c", "echo hi"],
    );
    expect(argv.slice(0, argv.indexOf("--"))).toEqual([
      "/usr/bin/prlimit",
      "--nproc=7",
      "--fsize=99",
      `--cpu=${DEFAULT_LIMITS.cpuTime}`,
      `--nofile=${DEFAULT_LIMITS.openFiles}`,
    ]);
    expect(argv).toContain("--reuid=1900000001");
    expect(argv).toContain("--regid=1900000001");
    expect(argv).toContain("--clear-groups");
    expect(argv).toContain("--bounding-set=-all");
    expect(argv).toContain("--no-new-privs");
    expect(argv.slice(argv.indexOf("/usr/bin/env"))).toEqual([
      "/usr/bin/env",
      "-i",
      "--",
      "PATH=/usr/bin",
      "HOME=/tmp/home",
      "/bin/bash",
      "-c",
      "echo hi",
    ]);
  });

  it("adds an address-space limit only when one is set, and no uid change without a drop", () => {
    const argv = commandArgv(
      { limits: { ...DEFAULT_LIMITS, memory: 4096 }, drop: undefined, privileged: false, env },
      ["x"],
    );
    expect(argv).toContain("--as=4096");
    expect(argv.some((arg) => arg.startsWith("--reuid"))).toBe(false);
    expect(argv).not.toContain("--bounding-set=-all");
  });
});

describe("helpers", () => {
  it("wraps a program in script(1) on a sized terminal", () => {
    const argv = ptyArgv(["/bin/bash", "-c", "echo 'a b'"], { rows: 30, cols: 100 });
    expect(argv.slice(0, 5)).toEqual(["/usr/bin/script", "-q", "-f", "-e", "-c"]);
    expect(argv[5]).toBe(
      `/usr/bin/stty rows 30 cols 100 2>/dev/null; exec /bin/bash -c 'echo '"'"'a b'"'"''`,
    );
    expect(ptyArgv(["x"], { rows: 0, cols: 0 })[5]).toBe("exec x");
  });

  it("quotes shell words", () => {
    expect(shellQuote("plain/path-1.txt")).toBe("plain/path-1.txt");
    expect(shellQuote("it's")).toBe(`'it'"'"'s'`);
    expect(shellQuote("")).toBe("''");
  });

  it("builds the environment from fixed values, then the author's, then the session's", () => {
    expect(
      commandEnv({ user: "agent", home: "/h", extra: { A: "1", LANG: "fr" }, session: { TERM: "vt100" } }),
    ).toEqual({
      PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
      HOME: "/h",
      USER: "agent",
      LOGNAME: "agent",
      SHELL: "/bin/bash",
      LANG: "fr",
      A: "1",
      TERM: "vt100",
    });
  });

  it("names the sandbox user in passwd and group, replacing any same-named or same-id entry", () => {
    const host = "root:x:0:0:root:/root:/bin/bash\nagent:x:1000:1000::/home/agent:/bin/sh\n";
    expect(passwdWith(host, { name: "agent", uid: 5, gid: 6 })).toBe(
      "root:x:0:0:root:/root:/bin/bash\nagent:x:5:6:agent:/tmp/home:/bin/bash\n",
    );
    expect(groupWith("root:x:0:\nold:x:6:\n", { name: "agent", gid: 6 })).toBe("root:x:0:\nagent:x:6:\n");
  });
});

describe("spawnerArgv and spawnedArgv", () => {
  const limits = { ...DEFAULT_LIMITS, processes: 7, fileSize: 99, memory: 4096 };

  it("gives the spawner the limits but RLIMIT_AS, no_new_privs, and only the capabilities to drop to the uid", () => {
    const argv = spawnerArgv({ limits, drop: spec.drop }, ["/run/hud/node", "-e", "x"]);
    expect(argv.slice(0, argv.indexOf("--"))).toEqual([
      "/usr/bin/prlimit",
      "--nproc=7",
      "--fsize=99",
      `--cpu=${DEFAULT_LIMITS.cpuTime}`,
      `--nofile=${DEFAULT_LIMITS.openFiles}`,
    ]);
    expect(argv.slice(argv.indexOf("/usr/bin/setpriv"))).toEqual([
      "/usr/bin/setpriv",
      "--inh-caps=-all",
      "--bounding-set=-all,+setuid,+setgid",
      "--no-new-privs",
      "--",
      "/run/hud/node",
      "-e",
      "x",
    ]);
    // No uid to switch to: no capability at all (the spawner is then the command user itself).
    expect(spawnerArgv({ limits, drop: undefined }, ["n"])).toContain("--bounding-set=-all");
    expect(spawnerArgv({ limits, drop: undefined }, ["n"]).join(" ")).not.toMatch(/setuid|setgid|--as=/);
  });

  it("puts a forked command under RLIMIT_AS only when `memory` is set", () => {
    expect(spawnedArgv(limits, ["/bin/bash", "-c", "x"])).toEqual([
      "/usr/bin/prlimit",
      "--as=4096",
      "--",
      "/bin/bash",
      "-c",
      "x",
    ]);
    expect(spawnedArgv(DEFAULT_LIMITS, ["/bin/bash", "-c", "x"])).toEqual(["/bin/bash", "-c", "x"]);
  });
});
