// What the container tests ask the engine directly: is it there, which containers a runner owns, does one exist.

import { OWNER_LABEL, ownerLabel } from "../../src/runtime/docker/container-spec.ts";
import { listContainers } from "../../src/runtime/docker/containers.ts";
import { describeAddress, EngineClient } from "../../src/runtime/docker/engine-client.ts";
import { engineAnswers } from "./container-image.ts";

export const engine = new EngineClient();

/** Why the container tests are skipped, or undefined when an engine answers (CI always has one). */
export async function skipReason(): Promise<string | undefined> {
  if (await engineAnswers(engine)) return undefined;
  return `skipped: no container engine answers at ${describeAddress(engine.address)} (set DOCKER_HOST; see docs/runtimes.md)`;
}

/** Ids of the containers labelled as owned by process `pid` of this host. */
export async function ownedContainers(pid = process.pid): Promise<string[]> {
  const containers = await listContainers(engine, `${OWNER_LABEL}=${ownerLabel(pid)}`);
  return containers.map((container) => container.Id);
}

export async function containerExists(id: string): Promise<boolean> {
  return (await engine.send({ path: `/containers/${id}/json` })).status === 200;
}
