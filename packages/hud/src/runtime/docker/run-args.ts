// `docker run` flags given as `runArgs`, mapped onto the engine API's create body (the common ones; others refused).
import { HudError } from "../../protocol/errors.ts";
import type { ContainerSpec, HostConfig } from "./containers.ts";

/** The parts of a create body that run flags may set. */
export interface RunArgsSpec {
  Env: string[];
  Labels: Record<string, string>;
  User?: string;
  WorkingDir?: string;
  Entrypoint?: ContainerSpec["Entrypoint"];
  HostConfig: Omit<HostConfig, "PortBindings">;
}

type Apply = (spec: RunArgsSpec, value: string) => void;

const push = <K extends "Binds" | "CapAdd" | "CapDrop" | "SecurityOpt" | "ExtraHosts">(key: K): Apply => {
  return (spec, value) => {
    spec.HostConfig[key] = [...(spec.HostConfig[key] ?? []), value];
  };
};

/** Flags that take a value. */
const VALUED: Record<string, Apply> = {
  "--env": (spec, value) =>
    spec.Env.push(value.includes("=") ? value : `${value}=${process.env[value] ?? ""}`),
  "--volume": push("Binds"),
  "--network": (spec, value) => {
    spec.HostConfig.NetworkMode = value;
  },
  "--label": (spec, value) => {
    const [key, ...rest] = value.split("=");
    spec.Labels[key!] = rest.join("=");
  },
  "--user": (spec, value) => {
    spec.User = value;
  },
  "--workdir": (spec, value) => {
    spec.WorkingDir = value;
  },
  "--entrypoint": (spec, value) => {
    spec.Entrypoint = [value];
  },
  "--cpus": (spec, value) => {
    spec.HostConfig.NanoCpus = nanoCpus(Number(value), "--cpus");
  },
  "--memory": (spec, value) => {
    spec.HostConfig.Memory = bytesOf(value, "--memory");
  },
  "--shm-size": (spec, value) => {
    spec.HostConfig.ShmSize = bytesOf(value, "--shm-size");
  },
  "--pids-limit": (spec, value) => {
    spec.HostConfig.PidsLimit = Number.parseInt(value, 10);
  },
  "--cap-add": push("CapAdd"),
  "--cap-drop": push("CapDrop"),
  "--security-opt": push("SecurityOpt"),
  "--add-host": push("ExtraHosts"),
  "--tmpfs": (spec, value) => {
    const [path, ...options] = value.split(":");
    spec.HostConfig.Tmpfs = { ...spec.HostConfig.Tmpfs, [path!]: options.join(":") };
  },
  "--device": (spec, value) => {
    const [host, inside = host, permissions = "rwm"] = value.split(":");
    const devices = spec.HostConfig.Devices ?? [];
    devices.push({ PathOnHost: host!, PathInContainer: inside!, CgroupPermissions: permissions });
    spec.HostConfig.Devices = devices;
  },
};

/** Flags without a value. */
const SWITCHES: Record<string, Apply> = {
  "--privileged": (spec) => {
    spec.HostConfig.Privileged = true;
  },
  "--init": (spec) => {
    spec.HostConfig.Init = true;
  },
  "--read-only": (spec) => {
    spec.HostConfig.ReadonlyRootfs = true;
  },
};

const SHORT: Record<string, string> = {
  "-e": "--env",
  "-v": "--volume",
  "-l": "--label",
  "-u": "--user",
  "-w": "--workdir",
  "-m": "--memory",
  "--net": "--network",
};

/** Set by the runtime itself: one container per lease, published on loopback, removed at dispose. */
const MANAGED = [
  "-p",
  "--publish",
  "-P",
  "--publish-all",
  "--rm",
  "-d",
  "--detach",
  "--name",
  "-t",
  "-i",
  "-it",
];

export function parseRunArgs(args: readonly string[]): RunArgsSpec {
  const spec: RunArgsSpec = { Env: [], Labels: {}, HostConfig: {} };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const flag = SHORT[eq === -1 ? arg : arg.slice(0, eq)] ?? (eq === -1 ? arg : arg.slice(0, eq));
    if (MANAGED.includes(flag)) {
      throw new HudError(`DockerRuntime runArgs: '${arg}' is managed by DockerRuntime itself; remove it`);
    }
    const valued = VALUED[flag];
    if (valued) {
      const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
      if (value === undefined) throw new HudError(`DockerRuntime runArgs: '${arg}' needs a value`);
      valued(spec, value);
    } else if (SWITCHES[flag] && eq === -1) {
      SWITCHES[flag](spec, "");
    } else {
      throw new HudError(
        `DockerRuntime runArgs: '${arg}' is not supported over the engine API (supported: ` +
          `${[...Object.keys(VALUED), ...Object.keys(SWITCHES)].join(" ")})`,
      );
    }
  }
  return spec;
}

export function nanoCpus(cpus: number, what: string): number {
  if (!(Number.isFinite(cpus) && cpus > 0)) throw new HudError(`${what} must be a positive number of CPUs`);
  return Math.round(cpus * 1e9);
}

/** `512m`, `2g`, `1048576` → bytes, as docker's flags read them. */
function bytesOf(text: string, what: string): number {
  const match = /^(\d+(?:\.\d+)?)([bkmg]?)b?$/i.exec(text.trim());
  if (!match) throw new HudError(`DockerRuntime runArgs: ${what} '${text}' is not a size like 512m or 2g`);
  const scale = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2]!.toLowerCase()]!;
  return Math.round(Number(match[1]) * scale);
}
