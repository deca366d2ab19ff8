// Capability: the (name, protocol, url, params) record an environment publishes in hello.bindings.
import type { CapabilityManifest } from "../protocol/methods.ts";
import { joinUrl, normalizeUrl, requireUrl, splitUrl } from "./url.ts";

export type CapabilityParams = { [key: string]: unknown };

export interface CapabilityInit {
  name: string;
  protocol: string;
  url: string;
  params?: CapabilityParams;
}

export const PROTOCOLS = {
  ssh: "ssh/2",
  mcp: "mcp/2025-11-25",
  cdp: "cdp/1.3",
  rfb: "rfb/3.8",
  robot: "openpi/0",
  filetracking: "filetracking/1",
} as const;

/** Default scheme and port per protocol family (used for urls given without them). */
const DEFAULTS: Record<string, { scheme: string; port: number | undefined }> = {
  ssh: { scheme: "ssh", port: 22 },
  cdp: { scheme: "ws", port: 9222 },
  rfb: { scheme: "rfb", port: 5900 },
  openpi: { scheme: "ws", port: 9091 },
  filetracking: { scheme: "tcp", port: undefined },
};

const MCP_SCHEMES = new Set(["ws", "wss", "http", "https"]);

function familyOf(protocol: string): string {
  return protocol.split("/", 1)[0]!;
}

function mcpTransport(url: string): "websocket" | "streamable-http" {
  const scheme = splitUrl(url).scheme;
  return scheme === "ws" || scheme === "wss" ? "websocket" : "streamable-http";
}

/** One slice of environment access: concrete wire data, immutable. */
export class Capability {
  readonly name: string;
  readonly protocol: string;
  readonly url: string;
  readonly params: Readonly<CapabilityParams>;

  constructor(init: CapabilityInit) {
    if (typeof init !== "object" || init === null) {
      throw new TypeError("new Capability({ name, protocol, url, params? }): expected an object");
    }
    if (typeof init.name !== "string" || init.name === "") {
      throw new TypeError("capability 'name' must be a non-empty string");
    }
    if (typeof init.protocol !== "string" || init.protocol === "") {
      throw new TypeError(`capability '${init.name}': 'protocol' must be a non-empty string`);
    }
    if (typeof init.url !== "string" || init.url === "") {
      throw new TypeError(`capability '${init.name}': 'url' must be a non-empty string`);
    }
    const params = init.params ?? {};
    if (typeof params !== "object" || Array.isArray(params)) {
      throw new TypeError(`capability '${init.name}': 'params' must be an object`);
    }
    this.name = init.name;
    this.protocol = init.protocol;
    this.url = init.url;
    this.params = Object.freeze({ ...params });
    Object.freeze(this);
  }

  /** Protocol family: "ssh" of "ssh/2". */
  get family(): string {
    return familyOf(this.protocol);
  }

  toManifest(): CapabilityManifest {
    return { name: this.name, protocol: this.protocol, url: this.url, params: { ...this.params } };
  }

  toJSON(): CapabilityManifest {
    return this.toManifest();
  }

  /** A copy with some fields replaced. */
  with(changes: Partial<CapabilityInit>): Capability {
    return new Capability({
      name: changes.name ?? this.name,
      protocol: changes.protocol ?? this.protocol,
      url: changes.url ?? this.url,
      params: changes.params ?? { ...this.params },
    });
  }

  /** Read a manifest binding; mcp bindings get their `transport` filled in from the url scheme. */
  static fromManifest(data: unknown): Capability {
    if (typeof data !== "object" || data === null || Array.isArray(data)) {
      throw new TypeError("capability manifest must be an object");
    }
    const { name, protocol, url, params } = data as Record<string, unknown>;
    if (params !== undefined && params !== null && (typeof params !== "object" || Array.isArray(params))) {
      throw new TypeError(`capability '${String(name)}': 'params' must be an object`);
    }
    const merged: CapabilityParams = { ...((params as CapabilityParams | null | undefined) ?? {}) };
    if (
      typeof protocol === "string" &&
      familyOf(protocol) === "mcp" &&
      !("transport" in merged) &&
      typeof url === "string"
    ) {
      merged.transport = mcpTransport(url);
    }
    return new Capability({
      name: name as string,
      protocol: protocol as string,
      url: url as string,
      params: merged,
    });
  }

  /** `ssh/2`: an SSH daemon with public-key auth. */
  static ssh(options: {
    name?: string;
    url: string;
    user?: string;
    hostPubkey: string;
    clientKey?: string;
    clientKeyPath?: string;
    shell?: "bash" | "cmd" | "powershell";
    cwd?: string;
    isolation?: "bwrap" | "none";
  }): Capability {
    const params: CapabilityParams = {
      user: options.user ?? "agent",
      host_pubkey: options.hostPubkey,
      shell: options.shell ?? (process.platform === "win32" ? "cmd" : "bash"),
    };
    if (options.clientKey !== undefined) params.client_key = options.clientKey;
    if (options.clientKeyPath !== undefined) params.client_key_path = options.clientKeyPath;
    if (options.cwd !== undefined) params.cwd = options.cwd;
    if (options.isolation !== undefined) params.isolation = options.isolation;
    return new Capability({
      name: options.name ?? "shell",
      protocol: PROTOCOLS.ssh,
      url: normalizeUrl(options.url, "ssh", 22),
      params,
    });
  }

  /** `mcp/2025-11-25`: an MCP server over streamable HTTP (served under /mcp) or WebSocket. */
  static mcp(options: {
    name?: string;
    url: string;
    authToken?: string;
    transport?: "streamable-http" | "websocket" | "sse";
  }): Capability {
    const url = requireUrl(options.url).includes("://") ? options.url : `ws://${options.url}`;
    const parts = splitUrl(url);
    if (!MCP_SCHEMES.has(parts.scheme)) {
      throw new TypeError(`mcp/2025-11-25: only ws/wss/http/https URLs are supported, got '${parts.scheme}'`);
    }
    const websocket = parts.scheme === "ws" || parts.scheme === "wss";
    if (options.transport === "websocket" && !websocket) {
      throw new TypeError("mcp websocket transport requires a ws:// or wss:// URL");
    }
    if ((options.transport === "streamable-http" || options.transport === "sse") && websocket) {
      throw new TypeError(`mcp ${options.transport} transport requires an http:// or https:// URL`);
    }
    if (parts.port === undefined) parts.port = parts.scheme === "https" || parts.scheme === "wss" ? 443 : 80;
    const params: CapabilityParams = {
      transport: options.transport ?? (websocket ? "websocket" : "streamable-http"),
    };
    if (options.authToken !== undefined) params.auth_token = options.authToken;
    return new Capability({
      name: options.name ?? "tools",
      protocol: PROTOCOLS.mcp,
      url: joinUrl(parts),
      params,
    });
  }

  /** `cdp/1.3`: Chromium DevTools over WebSocket. */
  static cdp(options: { name?: string; url: string; targetId?: string }): Capability {
    const params: CapabilityParams = {};
    if (options.targetId !== undefined) params.target_id = options.targetId;
    return new Capability({
      name: options.name ?? "browser",
      protocol: PROTOCOLS.cdp,
      url: normalizeUrl(options.url, "ws", 9222),
      params,
    });
  }

  /** `rfb/3.8`: a VNC server; display N listens on 5900 + N unless the url names a port. */
  static rfb(options: { name?: string; url: string; password?: string; display?: number }): Capability {
    const display = options.display ?? 0;
    if (!Number.isInteger(display) || display < 0) {
      throw new TypeError("rfb: 'display' must be a non-negative integer");
    }
    const params: CapabilityParams = { display };
    if (options.password !== undefined) params.password = options.password;
    return new Capability({
      name: options.name ?? "screen",
      protocol: PROTOCOLS.rfb,
      url: normalizeUrl(options.url, "rfb", 5900 + display),
      params,
    });
  }

  /** `openpi/0`: a robot action/observation loop over WebSocket. */
  static robot(options: { name?: string; url: string; contract: CapabilityParams }): Capability {
    return new Capability({
      name: options.name ?? "robot",
      protocol: PROTOCOLS.robot,
      url: normalizeUrl(options.url, "ws", 9091),
      params: { contract: options.contract },
    });
  }
}

/** The host and port a capability url points at, or undefined when it has none (then it cannot be tunneled). */
export function capabilityAddress(cap: Capability): { host: string; port: number } | undefined {
  let parts: ReturnType<typeof splitUrl>;
  try {
    parts = splitUrl(
      cap.url.includes("://") ? cap.url : `${DEFAULTS[cap.family]?.scheme ?? "tcp"}://${cap.url}`,
    );
  } catch {
    return undefined;
  }
  const display = cap.family === "rfb" && typeof cap.params.display === "number" ? cap.params.display : 0;
  const familyPort = DEFAULTS[cap.family]?.port;
  const port =
    parts.port ?? (familyPort === undefined ? defaultPortForScheme(parts.scheme) : familyPort + display);
  if (port === undefined || port === 0) return undefined;
  return { host: parts.hostname, port };
}

function defaultPortForScheme(scheme: string): number | undefined {
  return { http: 80, ws: 80, https: 443, wss: 443, ssh: 22 }[scheme];
}

/** Match a binding by name, full protocol, or protocol family. */
export function matchesRef(cap: Capability, ref: string): boolean {
  return cap.name === ref || cap.protocol === ref || cap.family === ref;
}
