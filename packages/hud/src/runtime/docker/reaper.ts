// Containers outliving their runner: removed by an exit hook when the process exits, reaped later if it crashed.
import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { OWNER_LABEL } from "./container-spec.ts";
import { listContainers, removeContainer } from "./containers.ts";
import { type EngineAddress, EngineClient, engineAddress } from "./engine-client.ts";

/** Containers created by this process and not yet removed, with the engine each lives on. */
const live = new Map<string, EngineAddress>();
let exitHookInstalled = false;

/**
 * The exit hook must be synchronous, and HTTP is not: it hands the ids to a detached `node` that removes them
 * after this process is gone (the `hud` CLI turns Ctrl-C into such an exit). A runner killed outright leaves
 * them labelled with its pid, for `reapContainers()`.
 */
export function trackContainer(id: string, address: EngineAddress): void {
  live.set(id, address);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    if (live.size === 0) return;
    const jobs = [...live].map(([container, where]) => ({ id: container, where }));
    try {
      const child = spawn(process.execPath, ["-e", REMOVE_SCRIPT, JSON.stringify(jobs)], {
        detached: true,
        stdio: "ignore",
      });
      child.unref();
    } catch {
      // Nothing more can be done from an exiting process; the labels let the next `hud eval` reap them.
    }
  });
}

export function untrackContainer(id: string): void {
  live.delete(id);
}

/** Plain JS for the detached remover: force-remove each container through its engine, best effort. */
const REMOVE_SCRIPT = `
const http = require("node:http");
const jobs = JSON.parse(process.argv[1]);
for (const { id, where } of jobs) {
  const req = http.request({ ...where, method: "DELETE", path: "/v1.41/containers/" + id + "?force=1&v=1",
    headers: { host: "docker" }, timeout: 30000 });
  req.on("response", (res) => res.resume());
  req.on("error", () => {});
  req.on("timeout", () => req.destroy());
  req.end();
}`;

export interface ReapOptions {
  /** Engine address as in `DOCKER_HOST` (default: `DOCKER_HOST`, else the default sockets). */
  dockerHost?: string;
}

/**
 * Remove containers labelled `hud.owner=<this host>:<pid>` whose owning process is no longer alive: what a
 * crashed or killed runner left behind. Containers of live runners and of other hosts are left alone.
 * Returns the ids removed.
 */
export async function reapContainers(options: ReapOptions = {}): Promise<string[]> {
  const engine = new EngineClient(engineAddress(options.dockerHost ?? process.env.DOCKER_HOST));
  const containers = await listContainers(engine, OWNER_LABEL);
  const host = hostname();
  const removed: string[] = [];
  for (const container of containers) {
    const owner = container.Labels?.[OWNER_LABEL] ?? "";
    const colon = owner.lastIndexOf(":");
    const pid = Number(owner.slice(colon + 1));
    if (owner.slice(0, colon) !== host || !Number.isInteger(pid) || pid <= 0 || alive(pid)) continue;
    await removeContainer(engine, container.Id);
    removed.push(container.Id);
  }
  return removed;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, just not ours to signal.
    return (error as { code?: string }).code === "EPERM";
  }
}
