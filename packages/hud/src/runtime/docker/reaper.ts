// Containers outliving their runner: removed by an exit hook when the process exits, reaped later if it crashed.
import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { OWNER_LABEL, ownerLabel } from "./container-spec.ts";
import { listContainers, removeContainer } from "./containers.ts";
import { type EngineAddress, EngineClient, engineAddress } from "./engine-client.ts";

/** Containers created by this process and not yet removed, with the engine each lives on. */
const live = new Map<string, EngineAddress>();
/** Creations in flight per engine (keyed by its address as JSON): their ids are not known yet. */
const creating = new Map<string, { where: EngineAddress; count: number }>();
let exitHookInstalled = false;

/**
 * The exit hook must be synchronous, and HTTP is not: it hands the ids to a detached `node` that removes them
 * after this process is gone (the `hud` CLI turns Ctrl-C into such an exit). Where a creation was still in
 * flight, the remover also sweeps the engine for containers labelled with this process as owner, twice, a
 * few seconds apart: one that arrives later still is left labelled with the dead pid, for
 * `reapContainers()` — as is everything of a runner killed outright.
 */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    if (live.size === 0 && creating.size === 0) return;
    const jobs = {
      ids: [...live].map(([container, where]) => ({ id: container, where })),
      sweeps: [...creating.values()].map(({ where }) => where),
      owner: ownerLabel(),
    };
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

export function trackContainer(id: string, address: EngineAddress): void {
  live.set(id, address);
  installExitHook();
}

export function untrackContainer(id: string): void {
  live.delete(id);
}

/** A container is being created on `address`; call the returned function once its id is tracked (or it failed). */
export function trackCreation(address: EngineAddress): () => void {
  installExitHook();
  const key = JSON.stringify(address);
  const entry = creating.get(key) ?? { where: address, count: 0 };
  entry.count++;
  creating.set(key, entry);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--entry.count === 0) creating.delete(key);
  };
}

/** Plain JS for the detached remover: force-remove each container through its engine, best effort. */
const REMOVE_SCRIPT = `
const http = require("node:http");
const { ids, sweeps, owner } = JSON.parse(process.argv[1]);
function call(where, method, path, done) {
  const req = http.request({ ...where, method, path, headers: { host: "docker" }, timeout: 30000 });
  let body = "";
  req.on("response", (res) => { res.setEncoding("utf8"); res.on("data", (d) => { body += d; }); res.on("end", () => done && done(body)); });
  req.on("error", () => {});
  req.on("timeout", () => req.destroy());
  req.end();
}
const remove = (where, id) => call(where, "DELETE", "/v1.41/containers/" + id + "?force=1&v=1");
for (const { id, where } of ids) remove(where, id);
const filters = encodeURIComponent(JSON.stringify({ label: ["${OWNER_LABEL}=" + owner] }));
const sweep = () => { for (const where of sweeps) call(where, "GET", "/v1.41/containers/json?all=1&filters=" + filters, (body) => {
  try { for (const c of JSON.parse(body)) remove(where, c.Id); } catch {}
}); };
if (sweeps.length > 0) { setTimeout(sweep, 2000); setTimeout(sweep, 6000); }`;

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
