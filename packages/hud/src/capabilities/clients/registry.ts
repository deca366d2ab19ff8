// Capability clients by exact protocol: what `open(ref)` instantiates for a binding (ssh/2 now; mcp, cdp, rfb later).
import { HudError } from "../../protocol/errors.ts";
import { type Capability, PROTOCOLS } from "../capability.ts";

/** A connected client for one capability; closing it releases its connections. */
export interface CapabilityClient {
  close(): Promise<void>;
}

export type CapabilityClientFactory = (capability: Capability) => Promise<CapabilityClient>;

// Factories import their client lazily, so loading the registry does not load every protocol's library.
const factories = new Map<string, CapabilityClientFactory>([
  [PROTOCOLS.ssh, async (capability) => (await import("./ssh.ts")).SshClient.connect(capability)],
  [PROTOCOLS.mcp, async (capability) => (await import("./mcp.ts")).McpClient.connect(capability)],
]);

/** Register (or replace) the client for an exact protocol string such as "mcp/2025-11-25". */
export function registerCapabilityClient(protocol: string, factory: CapabilityClientFactory): void {
  factories.set(protocol, factory);
}

/** Protocols that have a client. */
export function registeredProtocols(): string[] {
  return [...factories.keys()];
}

/** Connect the client registered for the capability's exact protocol. */
export function openCapabilityClient(capability: Capability): Promise<CapabilityClient> {
  const factory = factories.get(capability.protocol);
  if (!factory) {
    throw new HudError(
      `no client registered for protocol '${capability.protocol}' (capability '${capability.name}')`,
    );
  }
  return factory(capability);
}
