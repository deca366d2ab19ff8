// `docker run` flags as runArgs: the common ones map onto the create body; the rest fail in one line.
import { describe, expect, it } from "vitest";
import { parseRunArgs } from "./run-args.ts";

describe("parseRunArgs", () => {
  it("maps environment, volumes, labels, user, limits and switches, in both --flag value and --flag=value form", () => {
    const spec = parseRunArgs([
      "-e",
      "A=1",
      "--env=B=two=2",
      "-v",
      "/data:/data:ro",
      "--label",
      "team=evals",
      "-u",
      "1000:1000",
      "-w",
      "/work",
      "--cpus",
      "1.5",
      "-m",
      "512m",
      "--shm-size=1g",
      "--cap-add",
      "SYS_PTRACE",
      "--security-opt",
      "seccomp=unconfined",
      "--tmpfs",
      "/run:rw,size=64m",
      "--device",
      "/dev/fuse",
      "--init",
      "--read-only",
      "--network",
      "none",
    ]);
    expect(spec).toEqual({
      Env: ["A=1", "B=two=2"],
      Labels: { team: "evals" },
      User: "1000:1000",
      WorkingDir: "/work",
      HostConfig: {
        Binds: ["/data:/data:ro"],
        NanoCpus: 1_500_000_000,
        Memory: 512 * 1024 * 1024,
        ShmSize: 1024 ** 3,
        CapAdd: ["SYS_PTRACE"],
        SecurityOpt: ["seccomp=unconfined"],
        Tmpfs: { "/run": "rw,size=64m" },
        Devices: [{ PathOnHost: "/dev/fuse", PathInContainer: "/dev/fuse", CgroupPermissions: "rwm" }],
        Init: true,
        ReadonlyRootfs: true,
        NetworkMode: "none",
      },
    });
  });

  it("takes a bare -e NAME from this process, as docker does", () => {
    process.env.HUD_RUN_ARGS_TEST = "here";
    try {
      expect(parseRunArgs(["-e", "HUD_RUN_ARGS_TEST"]).Env).toEqual(["HUD_RUN_ARGS_TEST=here"]);
    } finally {
      delete process.env.HUD_RUN_ARGS_TEST;
    }
  });

  it("refuses what the runtime manages, unknown flags, missing values and bad sizes, in one line", () => {
    expect(() => parseRunArgs(["-p", "8765:8765"])).toThrow(
      "DockerRuntime runArgs: '-p' is managed by DockerRuntime itself; remove it",
    );
    expect(() => parseRunArgs(["--rm"])).toThrow(/'--rm' is managed/);
    expect(() => parseRunArgs(["--gpus", "all"])).toThrow(
      /'--gpus' is not supported over the engine API \(supported: --env /,
    );
    expect(() => parseRunArgs(["-e"])).toThrow("DockerRuntime runArgs: '-e' needs a value");
    expect(() => parseRunArgs(["-m", "lots"])).toThrow(/--memory 'lots' is not a size like 512m or 2g/);
    expect(() => parseRunArgs(["--cpus", "0"])).toThrow(/--cpus must be a positive number of CPUs/);
  });
});
