// serveForTest: an environment started, bound on loopback and connected, torn down by one dispose — for users' tests.
import { type ConnectOptions, connect, type HudClient } from "../client/client.ts";
import type { Environment } from "../environment/environment.ts";
import { type BindOptions, bind, type HudServer } from "../environment/server/control-server.ts";

export interface TestEnvironment extends AsyncDisposable {
  readonly env: Environment;
  readonly server: HudServer;
  readonly client: HudClient;
  readonly url: string;
}

/**
 * Run `env`'s initialize hooks, serve it on 127.0.0.1 (ephemeral port) and connect a client.
 * `await using t = await serveForTest(env)` closes the client and server and runs the shutdown hooks.
 */
export async function serveForTest(
  env: Environment,
  options: { bind?: BindOptions; connect?: ConnectOptions } = {},
): Promise<TestEnvironment> {
  await env.start();
  let server: HudServer | undefined;
  try {
    server = await bind(env, { ...options.bind, host: "127.0.0.1", port: 0 });
    const client = await connect(server.url, {
      readyTimeout: 10,
      authToken: options.bind?.authToken,
      ...options.connect,
    });
    const bound = server;
    return {
      env,
      server: bound,
      client,
      url: bound.url,
      async [Symbol.asyncDispose]() {
        try {
          await client.close();
          await bound.close();
        } finally {
          await env.stop();
        }
      },
    };
  } catch (error) {
    await server?.close();
    await env.stop();
    throw error;
  }
}
