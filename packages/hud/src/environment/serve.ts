// serve: run an environment's hooks and serve it until SIGINT/SIGTERM (or an abort signal).
import { isIP } from "node:net";
import type { Environment } from "./environment.ts";
import { type BindOptions, bind, type HudServer } from "./server/control-server.ts";

export interface ServeOptions extends BindOptions {
  /** Stop serving when aborted (in addition to SIGINT/SIGTERM). */
  signal?: AbortSignal;
  /** Where the `HUD_SERVE_PORT=<port>` (or `HUD_SERVE_SOCKET=<path>`) line goes (default stdout). */
  announce?: (line: string) => void;
  /** Where warnings go (default stderr). */
  warn?: (line: string) => void;
  /** Called once the server accepts connections. */
  onListening?: (server: HudServer) => void;
}

function isLoopback(host: string): boolean {
  if (host === "localhost") return true;
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}

/**
 * Start hooks, bind, announce `HUD_SERVE_PORT=<port>` (`HUD_SERVE_SOCKET=<path>` on a unix socket), serve
 * until a signal, then close and run shutdown hooks in reverse order.
 */
export async function serve(env: Environment, options: ServeOptions = {}): Promise<void> {
  const host = options.host ?? "127.0.0.1";
  const warn = options.warn ?? ((line: string) => process.stderr.write(`${line}\n`));
  const announce = options.announce ?? ((line: string) => process.stdout.write(`${line}\n`));
  if (options.path === undefined && !isLoopback(host) && !options.authToken) {
    warn(
      `warning: serving on ${host} without --token: anyone who can reach this port can drive the environment`,
    );
  }
  try {
    await env.start();
  } catch (error) {
    await env.stop().catch(() => {});
    throw error;
  }
  let server: HudServer;
  try {
    server = await bind(env, { ...options, host });
  } catch (error) {
    await env.stop().catch(() => {});
    throw error;
  }
  const stopped = new Promise<void>((resolve) => {
    const stop = () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      options.signal?.removeEventListener("abort", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
    if (options.signal?.aborted) stop();
    else options.signal?.addEventListener("abort", stop, { once: true });
  });
  options.onListening?.(server);
  announce(server.path === undefined ? `HUD_SERVE_PORT=${server.port}` : `HUD_SERVE_SOCKET=${server.path}`);
  await stopped;
  try {
    await server.close();
  } finally {
    await env.stop();
  }
}
