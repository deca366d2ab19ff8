// attachWorkspace: wire a Workspace into an environment's lifecycle — start and publish, then stop and withdraw.
import type { EnvironmentHost } from "../host.ts";
import { type FileTracking, startFileTracking } from "./file-tracking-server.ts";
import { Workspace, type WorkspaceOptions } from "./workspace.ts";

export function attachWorkspace(
  host: EnvironmentHost,
  root: string,
  options: WorkspaceOptions = {},
): Workspace {
  const workspace = new Workspace(root, options);
  let tracking: FileTracking | undefined;
  host.initialize(async () => {
    host.addCapability(await workspace.start());
    // The baseline is taken now, before any task runs, so diffs show what the rollout changed.
    if (workspace.trackFiles) {
      tracking = await startFileTracking(workspace.root);
      host.addCapability(tracking.capability);
    }
  });
  host.shutdown(async () => {
    if (tracking) {
      host.removeCapability(tracking.capability.name);
      await tracking.stop();
      tracking = undefined;
    }
    const name = workspace.capability?.name;
    if (name !== undefined) host.removeCapability(name);
    await workspace.stop();
  });
  return workspace;
}
