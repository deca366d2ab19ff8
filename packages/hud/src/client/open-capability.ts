// The capability clients a HudClient has opened: one per capability name, connected on first open, closed together.
import type { Capability } from "../capabilities/capability.ts";
import { type CapabilityClient, openCapabilityClient } from "../capabilities/clients/registry.ts";
import { HudError } from "../protocol/errors.ts";

/** A client class to check an opened client against, e.g. `SshClient`. */
export type ClientKind<C extends CapabilityClient> = { readonly prototype: C; readonly name: string };

interface Entry {
  url: string;
  client: Promise<CapabilityClient>;
}

export class CapabilityClients {
  private readonly entries = new Map<string, Entry>();
  private closed = false;

  /**
   * The client for `capability` (already routed to where this process can reach it), connecting it on first use.
   * Concurrent opens share one connection; a failed open is forgotten so the next one tries again. A binding whose
   * url changed (the environment republished it) gets a fresh client.
   */
  open(capability: Capability): Promise<CapabilityClient>;
  open<C extends CapabilityClient>(capability: Capability, kind: ClientKind<C>): Promise<C>;
  async open<C extends CapabilityClient>(
    capability: Capability,
    kind?: ClientKind<C>,
  ): Promise<CapabilityClient> {
    if (this.closed) throw new HudError(`cannot open capability '${capability.name}': the client is closed`);
    let entry = this.entries.get(capability.name);
    if (entry && entry.url !== capability.url) {
      this.entries.delete(capability.name);
      void entry.client.then((client) => client.close()).catch(() => {});
      entry = undefined;
    }
    if (!entry) {
      const created: Entry = { url: capability.url, client: openCapabilityClient(capability) };
      entry = created;
      this.entries.set(capability.name, created);
      created.client.catch(() => {
        if (this.entries.get(capability.name) === created) this.entries.delete(capability.name);
      });
    }
    const client = await entry.client;
    if (this.closed) {
      await client.close();
      throw new HudError(`cannot open capability '${capability.name}': the client is closed`);
    }
    if (kind && !Object.prototype.isPrototypeOf.call(kind.prototype, client)) {
      throw new HudError(
        `capability '${capability.name}' (${capability.protocol}) opens a ${client.constructor.name}, not a ${kind.name}`,
      );
    }
    return client;
  }

  /** Close every opened client (failures are ignored: this runs on teardown). Later opens fail. */
  async closeAll(): Promise<void> {
    this.closed = true;
    if (this.entries.size === 0) return;
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.allSettled(entries.map(async (entry) => (await entry.client).close()));
  }
}
