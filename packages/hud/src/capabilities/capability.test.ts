// Capabilities: factories normalize urls and params as the wire contract says; manifests read and write.
import { describe, expect, it } from "vitest";
import { Capability, capabilityAddress, matchesRef, PROTOCOLS } from "./capability.ts";

describe("Capability.mcp", () => {
  it.each([
    ["http://x/mcp", "http://x:80/mcp"],
    ["https://x/mcp", "https://x:443/mcp"],
    ["ws://x/mcp", "ws://x:80/mcp"],
    ["wss://x/mcp", "wss://x:443/mcp"],
    ["http://user:secret@x/mcp", "http://user:secret@x:80/mcp"],
    ["http://x:3000/mcp?k=v#f", "http://x:3000/mcp?k=v#f"],
    ["http://[::1]/mcp", "http://[::1]:80/mcp"],
  ])("materializes the default port: %s -> %s", (url, expected) => {
    expect(Capability.mcp({ url }).url).toBe(expected);
  });

  it("picks the transport from the scheme", () => {
    expect(Capability.mcp({ url: "http://x/mcp" }).params.transport).toBe("streamable-http");
    expect(Capability.mcp({ url: "wss://x/" }).params.transport).toBe("websocket");
  });

  it("publishes the auth token and default name", () => {
    const cap = Capability.mcp({ url: "http://x/mcp", authToken: "t" });
    expect(cap.toManifest()).toEqual({
      name: "tools",
      protocol: "mcp/2025-11-25",
      url: "http://x:80/mcp",
      params: { transport: "streamable-http", auth_token: "t" },
    });
  });

  it.each([
    [{ url: "ftp://x/" }, /only ws\/wss\/http\/https/],
    [{ url: "http://x/", transport: "websocket" as const }, /requires a ws/],
    [{ url: "ws://x/", transport: "streamable-http" as const }, /requires an http/],
    [{ url: "http://x:99999/" }, /bad port/],
  ])("rejects %j", (options, message) => {
    expect(() => Capability.mcp(options)).toThrow(message);
  });
});

describe("other factories", () => {
  it("ssh defaults: scheme, port 22, user agent, bash", () => {
    const cap = Capability.ssh({ url: "127.0.0.1", hostPubkey: "ssh-ed25519 AAAA" });
    expect(cap.toManifest()).toEqual({
      name: "shell",
      protocol: "ssh/2",
      url: "ssh://127.0.0.1:22",
      params: {
        user: "agent",
        host_pubkey: "ssh-ed25519 AAAA",
        shell: process.platform === "win32" ? "cmd" : "bash",
      },
    });
    expect(Capability.ssh({ url: "ssh://h:2222", hostPubkey: "k", cwd: "/w" }).url).toBe("ssh://h:2222");
  });

  it("cdp defaults to ws and port 9222", () => {
    expect(Capability.cdp({ url: "localhost" }).url).toBe("ws://localhost:9222");
    expect(Capability.cdp({ url: "ws://h:9333/devtools", targetId: "T" }).toManifest()).toMatchObject({
      url: "ws://h:9333/devtools",
      params: { target_id: "T" },
    });
  });

  it("rfb listens on 5900 + display unless the url names a port", () => {
    expect(Capability.rfb({ url: "h" }).url).toBe("rfb://h:5900");
    expect(Capability.rfb({ url: "h", display: 2 }).url).toBe("rfb://h:5902");
    expect(Capability.rfb({ url: "h:6000", display: 2 }).url).toBe("rfb://h:6000");
    expect(() => Capability.rfb({ url: "h", display: -1 })).toThrow(/display/);
  });

  it("robot defaults to ws and port 9091", () => {
    expect(Capability.robot({ url: "h", contract: {} }).toManifest()).toMatchObject({
      protocol: "openpi/0",
      url: "ws://h:9091",
    });
  });

  it.each([
    () => Capability.ssh({ url: "", hostPubkey: "k" }),
    () => Capability.cdp({ url: "ws://:9222" }),
    () => Capability.ssh({ url: "ssh://h:abc", hostPubkey: "k" }),
    () => Capability.mcp({ url: undefined as unknown as string }),
  ])("rejects a bad url with a TypeError naming it (%#)", (make) => {
    expect(make).toThrow(/invalid URL/);
  });
});

describe("Capability data", () => {
  it("fromManifest fills in the mcp transport when absent and keeps it when present", () => {
    const base = { name: "tools", protocol: PROTOCOLS.mcp };
    expect(Capability.fromManifest({ ...base, url: "ws://h:1/" }).params.transport).toBe("websocket");
    expect(Capability.fromManifest({ ...base, url: "http://h:1/mcp" }).params.transport).toBe(
      "streamable-http",
    );
    expect(
      Capability.fromManifest({ ...base, url: "http://h:1/", params: { transport: "sse" } }).params.transport,
    ).toBe("sse");
    expect(Capability.fromManifest({ name: "shell", protocol: "ssh/2", url: "ssh://h:22" }).params).toEqual(
      {},
    );
  });

  it("round-trips through the manifest", () => {
    const cap = Capability.rfb({ url: "h", display: 1, password: "pw" });
    expect(Capability.fromManifest(JSON.parse(JSON.stringify(cap))).toManifest()).toEqual(cap.toManifest());
  });

  it.each([
    [null, /must be an object/],
    [[], /must be an object/],
    [{ protocol: "ssh/2", url: "ssh://h:22" }, /'name'/],
    [{ name: "s", url: "ssh://h:22" }, /'protocol'/],
    [{ name: "s", protocol: "ssh/2" }, /'url'/],
    [{ name: "s", protocol: "ssh/2", url: "ssh://h:22", params: "x" }, /'params'/],
  ])("fromManifest rejects %j", (data, message) => {
    expect(() => Capability.fromManifest(data)).toThrow(message);
  });

  it("the constructor rejects non-object params and a missing init", () => {
    expect(
      () => new Capability({ name: "s", protocol: "x/1", url: "tcp://h:1", params: "ab" as never }),
    ).toThrow(/'params'/);
    expect(() => new Capability(undefined as never)).toThrow(/expected an object/);
  });

  it("is immutable; with() makes a changed copy", () => {
    const cap = Capability.cdp({ url: "h" });
    expect(() => {
      (cap as { url: string }).url = "ws://evil:1";
    }).toThrow(TypeError);
    expect(cap.with({ url: "ws://h:1" }).url).toBe("ws://h:1");
    expect(cap.url).toBe("ws://h:9222");
  });

  it("matches a reference by name, protocol, or family", () => {
    const cap = Capability.ssh({ url: "h", hostPubkey: "k" });
    expect(["shell", "ssh/2", "ssh"].map((ref) => matchesRef(cap, ref))).toEqual([true, true, true]);
    expect(matchesRef(cap, "ss")).toBe(false);
  });

  it("finds the tunnel address, with the protocol's default port", () => {
    expect(capabilityAddress(Capability.mcp({ url: "https://h/mcp" }))).toEqual({ host: "h", port: 443 });
    const bare = new Capability({ name: "screen", protocol: "rfb/3.8", url: "h", params: { display: 3 } });
    expect(capabilityAddress(bare)).toEqual({ host: "h", port: 5903 });
    expect(
      capabilityAddress(new Capability({ name: "f", protocol: "filetracking/1", url: "tcp://h" })),
    ).toBeUndefined();
  });
});
