// Opening capability clients by protocol (the plumbing of client.open(ref)): through forwarders, cached per name.
import { bind, Capability, connect, Environment } from "hud";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CapabilityClient, registerCapabilityClient } from "../src/capabilities/clients/registry.ts";
import { SshClient } from "../src/capabilities/clients/ssh.ts";
import { CapabilityClients } from "../src/client/open-capability.ts";
import { useCleanup } from "./support/cleanup.ts";
import { type Sshd, sshdUnavailable, startSshd } from "./support/sshd.ts";

const defer = useCleanup();

class FakeClient implements CapabilityClient {
  closed = 0;
  async close(): Promise<void> {
    this.closed++;
  }
}

function clients(): CapabilityClients {
  const opened = new CapabilityClients();
  defer(() => opened.closeAll());
  return opened;
}

describe("CapabilityClients", () => {
  it("opens the client registered for the exact protocol, once per capability name", async () => {
    let made = 0;
    registerCapabilityClient("fake/1", async () => {
      made++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return new FakeClient();
    });
    const opened = clients();
    const cap = new Capability({ name: "thing", protocol: "fake/1", url: "tcp://127.0.0.1:1" });
    const [a, b] = await Promise.all([opened.open(cap), opened.open(cap)]);
    expect(a).toBe(b);
    expect(await opened.open(cap, FakeClient)).toBe(a);
    const other = await opened.open(cap.with({ name: "other" }));
    expect(other).not.toBe(a);
    expect(made).toBe(2);
    await opened.closeAll();
    expect([(a as FakeClient).closed, (other as FakeClient).closed]).toEqual([1, 1]);
    await expect(opened.open(cap)).rejects.toThrow("cannot open capability 'thing': the client is closed");
  });

  it("names the protocol and capability when no client is registered", async () => {
    const cap = new Capability({ name: "arm", protocol: "openpi/0", url: "ws://127.0.0.1:9091" });
    await expect(clients().open(cap)).rejects.toThrow(
      "no client registered for protocol 'openpi/0' (capability 'arm')",
    );
    const near = new Capability({ name: "shell", protocol: "ssh/3", url: "ssh://127.0.0.1:22" });
    await expect(clients().open(near)).rejects.toThrow(
      "no client registered for protocol 'ssh/3' (capability 'shell')",
    );
  });

  it("forgets a failed open so the next one tries again; a changed url gets a fresh client", async () => {
    let attempts = 0;
    registerCapabilityClient("flaky/1", async () => {
      attempts++;
      if (attempts === 1) throw new Error("first attempt fails");
      return new FakeClient();
    });
    const opened = clients();
    const cap = new Capability({ name: "flaky", protocol: "flaky/1", url: "tcp://127.0.0.1:1" });
    await expect(opened.open(cap)).rejects.toThrow("first attempt fails");
    const first = (await opened.open(cap)) as FakeClient;
    const moved = await opened.open(cap.with({ url: "tcp://127.0.0.1:2" }));
    expect(moved).not.toBe(first);
    expect(first.closed).toBe(1);
  });

  it("checks the client's kind when asked", async () => {
    registerCapabilityClient("fake/2", async () => new FakeClient());
    const cap = new Capability({ name: "thing", protocol: "fake/2", url: "tcp://127.0.0.1:1" });
    await expect(clients().open(cap, SshClient)).rejects.toThrow(
      "capability 'thing' (fake/2) opens a FakeClient, not a SshClient",
    );
  });
});

describe.skipIf(sshdUnavailable())("ssh/2 through connect() and its forwarder", () => {
  let sshd: Sshd;
  beforeAll(async () => {
    sshd = await startSshd();
  });
  afterAll(async () => {
    await sshd?.stop();
  });

  it("opens an SshClient on the forwarded url, verifies the host key, runs commands and moves files", async () => {
    const env = new Environment({ name: "ssh-open" });
    env.addCapability(
      Capability.ssh({
        url: sshd.url,
        user: sshd.user,
        hostPubkey: sshd.hostPubkey,
        clientKey: sshd.clientKey,
      }),
    );
    const server = await bind(env);
    defer(() => server.close());
    const client = await connect(server.url, { readyTimeout: 10 });
    defer(() => client.close());
    const binding = client.binding("ssh");
    expect(binding.url).not.toBe(sshd.url);
    const opened = clients();
    const ssh = await opened.open(binding, SshClient);
    expect(ssh.port).not.toBe(sshd.port);
    expect((await ssh.exec("echo through the tunnel")).stdout).toBe("through the tunnel\n");
    const dir = await sshd.scratchDir();
    await ssh.writeFile(`${dir}/f`, "data");
    expect(await ssh.listDir(dir)).toEqual(["f"]);
    expect(await opened.open(client.binding("shell"), SshClient)).toBe(ssh);
    await opened.closeAll();
    await expect(ssh.exec("true")).rejects.toThrow("is closed");
  });
});
