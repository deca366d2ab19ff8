// env.mcp / env.mcpStdio: serve an MCP server over loopback streamable HTTP and publish it as an `mcp` capability.
import { randomBytes } from "node:crypto";
import { Capability } from "../../capabilities/capability.ts";
import { HudError } from "../../protocol/errors.ts";
import type { EnvironmentHost } from "../host.ts";
import { type ConnectableServer, McpHttpEndpoint } from "./http-endpoint.ts";
import { StdioProxy } from "./stdio-proxy.ts";

/**
 * An `McpServer` (high-level) or `Server` (low-level) from `@modelcontextprotocol/sdk`, or a function returning a
 * fresh one. An SDK server is bound to one transport, so a single instance serves one MCP session at a time: a
 * new session ends the previous one. Pass a factory (`() => buildServer()`) to serve concurrent sessions, e.g.
 * several rollouts sharing one environment; it is called once per session.
 */
export type McpServerLike = ConnectableServer | (() => ConnectableServer | Promise<ConnectableServer>);

export interface McpOptions {
  /** Capability name (default "tools"); each MCP server of an environment needs its own. */
  name?: string;
  /**
   * Bearer token required on every HTTP request, published in the binding's `auth_token`. Default: a random
   * token per start (the endpoint is loopback-only and reached through tunnels, so this costs clients nothing).
   * `false` serves without auth.
   */
  authToken?: string | false;
  /** HTTP path of the endpoint (default "/mcp"). */
  path?: string;
  /** Largest accepted request body in bytes (default 16 MiB). */
  maxBodyBytes?: number;
  /** Most MCP sessions kept open; the least recently used is ended to admit another (default 64). */
  maxSessions?: number;
}

export interface McpStdioOptions extends McpOptions {
  /** Variables for the server process, on top of this process's environment minus secret-looking names. */
  env?: Record<string, string>;
  /** Inherited names to keep even though they look like secrets (e.g. a key the server needs). */
  passEnv?: string[];
  /** Working directory of the server process. */
  cwd?: string;
  /** Seconds to wait for the server's `initialize` answer (default 30). */
  startTimeout?: number;
  /** Seconds a relayed request may run without progress notifications (default 600). */
  requestTimeout?: number;
}

const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
const DEFAULT_MAX_SESSIONS = 64;
const namesInUse = new WeakMap<EnvironmentHost, Set<string>>();

interface EndpointConfig {
  name: string;
  authToken: string | false | undefined;
  path: string;
  maxBodyBytes: number;
  maxSessions: number;
}

function positive(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!(Number.isFinite(value) && value > 0)) throw new TypeError(`${what} must be a positive number`);
  return value;
}

function endpointConfig(host: EnvironmentHost, options: McpOptions, method: string): EndpointConfig {
  const name = options.name ?? "tools";
  if (typeof name !== "string" || name === "")
    throw new TypeError(`${method}: 'name' must be a non-empty string`);
  const used = namesInUse.get(host) ?? new Set<string>();
  if (used.has(name)) {
    throw new TypeError(
      `${method}: environment '${host.name}' already has an MCP server named '${name}'; pass { name } to tell them apart`,
    );
  }
  const path = options.path ?? "/mcp";
  if (!path.startsWith("/") || /[?#\s]/.test(path)) {
    throw new TypeError(`${method}: 'path' must start with '/' and hold no query (got '${path}')`);
  }
  if (options.authToken !== undefined && options.authToken !== false) {
    if (typeof options.authToken !== "string" || options.authToken === "" || /[\s]/.test(options.authToken)) {
      throw new TypeError(`${method}: 'authToken' must be a non-empty string without whitespace, or false`);
    }
  }
  used.add(name);
  namesInUse.set(host, used);
  return {
    name,
    authToken: options.authToken,
    path,
    maxBodyBytes: positive(options.maxBodyBytes, DEFAULT_MAX_BODY_BYTES, `${method}: 'maxBodyBytes'`),
    maxSessions: Math.floor(positive(options.maxSessions, DEFAULT_MAX_SESSIONS, `${method}: 'maxSessions'`)),
  };
}

function tokenFor(config: EndpointConfig): string | undefined {
  if (config.authToken === false) return undefined;
  return config.authToken ?? randomBytes(24).toString("base64url");
}

function isConnectable(value: unknown): value is ConnectableServer {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as ConnectableServer).connect === "function" &&
    typeof (value as ConnectableServer).close === "function"
  );
}

/** Serve `server` while the environment runs: start hook listens and publishes, shutdown hook ends it all. */
function serveWhileRunning(
  host: EnvironmentHost,
  config: EndpointConfig,
  exclusive: boolean,
  open: () => Promise<{
    serverFor: () => ConnectableServer | Promise<ConnectableServer>;
    close?: () => Promise<void>;
  }>,
): void {
  let running: { endpoint: McpHttpEndpoint; close?: () => Promise<void> } | undefined;
  host.initialize(async () => {
    const source = await open();
    const authToken = tokenFor(config);
    let endpoint: McpHttpEndpoint;
    try {
      endpoint = await McpHttpEndpoint.start({
        serverFor: source.serverFor,
        exclusive,
        authToken,
        path: config.path,
        maxBodyBytes: config.maxBodyBytes,
        maxSessions: config.maxSessions,
      });
    } catch (error) {
      await source.close?.();
      throw error;
    }
    running = { endpoint, close: source.close };
    host.addCapability(Capability.mcp({ name: config.name, url: endpoint.url, authToken }));
  });
  host.shutdown(async () => {
    const current = running;
    running = undefined;
    if (!current) return;
    host.removeCapability(config.name);
    try {
      await current.endpoint.close();
    } finally {
      await current.close?.();
    }
  });
}

/** `env.mcp(server)`: host an SDK MCP server (or a factory of them) at `http://127.0.0.1:<port>/mcp`. */
export function attachMcpServer(
  host: EnvironmentHost,
  server: McpServerLike,
  options: McpOptions = {},
): void {
  const isFactory = typeof server === "function";
  if (!isFactory && !isConnectable(server)) {
    throw new TypeError(
      "env.mcp(server): expected an McpServer or Server from @modelcontextprotocol/sdk, or a function returning one",
    );
  }
  const config = endpointConfig(host, options, "env.mcp");
  const serverFor = isFactory
    ? async () => {
        const made = await server();
        if (!isConnectable(made)) {
          throw new HudError(`env.mcp '${config.name}': the factory must return an McpServer or Server`);
        }
        return made;
      }
    : () => server;
  serveWhileRunning(host, config, !isFactory, async () => ({ serverFor }));
}

/**
 * `env.mcpStdio(command, args)`: run a stdio MCP server (e.g. one installed from npm) in its own process group
 * and relay its tools, resources, prompts and completions behind the same kind of streamable-HTTP endpoint.
 * Every session shares the one process; shutdown kills its group.
 */
export function attachMcpStdio(
  host: EnvironmentHost,
  command: string,
  args: string[] = [],
  options: McpStdioOptions = {},
): void {
  if (typeof command !== "string" || command === "") {
    throw new TypeError("env.mcpStdio(command, args): 'command' must be a non-empty string");
  }
  if (!Array.isArray(args) || args.some((arg) => typeof arg !== "string")) {
    throw new TypeError("env.mcpStdio(command, args): 'args' must be an array of strings");
  }
  const config = endpointConfig(host, options, "env.mcpStdio");
  const startTimeout = positive(options.startTimeout, 30, "env.mcpStdio: 'startTimeout'");
  const requestTimeout = positive(options.requestTimeout, 600, "env.mcpStdio: 'requestTimeout'");
  serveWhileRunning(host, config, false, async () => {
    const proxy = await StdioProxy.start(command, [...args], {
      env: options.env,
      passEnv: options.passEnv,
      cwd: options.cwd,
      startTimeout,
      requestTimeout,
    });
    return { serverFor: () => proxy.sessionServer(), close: () => proxy.close() };
  });
}
