// The engine calls a container runtime needs, typed: create, start, inspect, wait, logs, remove, list, image, version.
import { type EngineClient, EngineError } from "./engine-client.ts";
import { logLines } from "./log-lines.ts";

/** The fields of Docker's container-create body that the runtime sets (the engine accepts many more). */
export interface ContainerSpec {
  Image: string;
  Cmd?: string[];
  Entrypoint?: string[];
  Env?: string[];
  User?: string;
  WorkingDir?: string;
  Labels: Record<string, string>;
  ExposedPorts: Record<string, Record<string, never>>;
  HostConfig: HostConfig;
}

export interface HostConfig {
  PortBindings: Record<string, { HostIp: string; HostPort: string }[]>;
  NanoCpus?: number;
  Memory?: number;
  DeviceRequests?: { Driver: string; Count: number; Capabilities: string[][] }[];
  Binds?: string[];
  NetworkMode?: string;
  ShmSize?: number;
  CapAdd?: string[];
  CapDrop?: string[];
  SecurityOpt?: string[];
  Privileged?: boolean;
  Init?: boolean;
  ReadonlyRootfs?: boolean;
  Tmpfs?: Record<string, string>;
  ExtraHosts?: string[];
  PidsLimit?: number;
  Devices?: { PathOnHost: string; PathInContainer: string; CgroupPermissions: string }[];
}

export interface ContainerState {
  Running: boolean;
  Status: string;
  ExitCode: number;
  OOMKilled: boolean;
}

interface Inspect {
  State: ContainerState;
  NetworkSettings: { Ports: Record<string, { HostIp: string; HostPort: string }[] | null> | null };
}

export interface ListedContainer {
  Id: string;
  Labels: Record<string, string> | null;
  State: string;
}

export async function createContainer(engine: EngineClient, spec: ContainerSpec): Promise<string> {
  const reply = await engine.call<{ Id: string }>({ method: "POST", path: "/containers/create", body: spec });
  return reply.Id;
}

export async function startContainer(engine: EngineClient, id: string): Promise<void> {
  await engine.call({ method: "POST", path: `/containers/${id}/start` });
}

/** State and the host port bound to `port` ("" when the engine published none). */
export async function inspectContainer(
  engine: EngineClient,
  id: string,
  port: string,
): Promise<{ state: ContainerState; hostPort: string }> {
  const info = await engine.call<Inspect>({ path: `/containers/${id}/json` });
  const bindings = info.NetworkSettings.Ports?.[port] ?? [];
  return { state: info.State, hostPort: bindings.find((b) => b.HostPort !== "")?.HostPort ?? "" };
}

/** The last `count` lines of stdout and stderr; empty when the logs cannot be read (never masks the real error). */
export async function lastLogLines(engine: EngineClient, id: string, count: number): Promise<string[]> {
  try {
    const reply = await engine.send({
      path: `/containers/${id}/logs`,
      query: { stdout: 1, stderr: 1, tail: count },
      maxBytes: 1024 * 1024,
      timeout: 10,
    });
    return reply.status === 200 ? logLines(reply.body, count) : [];
  } catch {
    return [];
  }
}

/** Force-remove (killing it if running) with its anonymous volumes; a container already gone is fine. */
export async function removeContainer(engine: EngineClient, id: string): Promise<void> {
  try {
    await engine.call({ method: "DELETE", path: `/containers/${id}`, query: { force: 1, v: 1 } });
  } catch (error) {
    if (!(error instanceof EngineError && error.status === 404)) throw error;
  }
}

/** Containers (running or not) carrying `label` (`key` or `key=value`). */
export function listContainers(engine: EngineClient, label: string): Promise<ListedContainer[]> {
  return engine.call<ListedContainer[]>({
    path: "/containers/json",
    query: { all: 1, filters: JSON.stringify({ label: [label] }) },
  });
}

export async function imageExists(engine: EngineClient, image: string): Promise<boolean> {
  const reply = await engine.send({ path: `/images/${encodeURIComponent(image)}/json` });
  return reply.status === 200;
}

export interface EngineVersion {
  ApiVersion?: string;
  Components?: { Name: string }[];
}

export function engineVersion(engine: EngineClient): Promise<EngineVersion> {
  return engine.call<EngineVersion>({ path: "/version" });
}
