// A bound server for raw-NDJSON tests, with peers that are destroyed after each test.
import { type BindOptions, bind, type Environment } from "hud";
import type { Defer } from "./cleanup.ts";
import { RawPeer } from "./raw-peer.ts";

export async function serveRaw(defer: Defer, env: Environment, options: BindOptions = {}) {
  const server = await bind(env, options);
  defer(() => server.close());
  const open = async () => {
    const peer = await RawPeer.connect(server.port);
    defer(() => peer.destroy());
    return peer;
  };
  return { server, open };
}
