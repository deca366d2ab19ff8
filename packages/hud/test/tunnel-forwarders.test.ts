// Capability streams through connect(): loopback forwarders per binding, url rewriting, integrity, half-close.
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect as netConnect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bind, Capability, connect, Environment } from "hud";
import { describe, expect, it } from "vitest";
import { useCleanup } from "./support/cleanup.ts";
import { RawPeer } from "./support/raw-peer.ts";
import { digestServer, echoServer, sha256, tcpServer, unusedPort } from "./support/tcp-backends.ts";
import { waitUntil } from "./support/wait.ts";

const defer = useCleanup();
const MiB = 1024 * 1024;

/** A control server on loopback TCP (default) or on a unix socket in a fresh private directory. */
async function setup(extra: Capability[] = [], transport: "tcp" | "unix" = "tcp") {
  const echo = await echoServer();
  defer(() => echo.close());
  const digest = await digestServer();
  defer(() => digest.close());
  const env = new Environment({ name: "tunnels" });
  env.addCapability(
    new Capability({ name: "echo", protocol: "echo/1", url: `tcp://127.0.0.1:${echo.port}` }),
  );
  env.addCapability(
    new Capability({ name: "digest", protocol: "digest/1", url: `tcp://127.0.0.1:${digest.port}` }),
  );
  for (const cap of extra) env.addCapability(cap);
  let path: string | undefined;
  if (transport === "unix") {
    const dir = mkdtempSync(join(tmpdir(), "hud-tunnel-"));
    defer(() => rmSync(dir, { recursive: true, force: true }));
    path = join(dir, "control.sock");
  }
  const server = await bind(env, { path });
  defer(() => server.close());
  const warnings: string[] = [];
  const client = await connect(server.url, {
    readyTimeout: 10,
    onWarning: (message) => warnings.push(message),
  });
  defer(() => client.close());
  return { server, client, echo, digest, warnings };
}

function portOf(url: string): number {
  return Number(/:(\d+)(?:[/?#]|$)/.exec(url.slice(url.indexOf("://") + 3))![1]);
}

async function dial(port: number): Promise<RawPeer> {
  const peer = await RawPeer.connect(port);
  defer(() => peer.destroy());
  return peer;
}

/** Send `data`, end our writes, and collect everything until the other side ends. */
function exchange(port: number, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket: Socket = netConnect({ host: "127.0.0.1", port, allowHalfOpen: true });
    defer(() => socket.destroy());
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("end", () => resolve(Buffer.concat(chunks)));
    socket.on("error", reject);
    socket.end(data);
  });
}

describe("forwarders", () => {
  it("round-trips through the forwarder; the manifest keeps the original port (python-sdk case 21)", async () => {
    const { client, echo } = await setup();
    const manifest = client.manifestBindings.find((c) => c.name === "echo")!;
    expect(manifest.url).toBe(`tcp://127.0.0.1:${echo.port}`);
    const routed = client.binding("echo");
    expect(routed.url).toMatch(/^tcp:\/\/127\.0\.0\.1:\d+$/);
    expect(portOf(routed.url)).not.toBe(echo.port);
    expect(client.bindings.find((c) => c.name === "echo")!.url).toBe(routed.url);
    const peer = await dial(portOf(routed.url));
    await peer.write("ping\n");
    expect(await peer.nextLine()).toBe("ping");
  });

  it("keeps scheme, username, path, query and fragment; drops the password", async () => {
    const echo = await echoServer();
    defer(() => echo.close());
    const original = `ssh://agent:hunter2@127.0.0.1:${echo.port}/work/dir?mode=fast#top`;
    const { client } = await setup([new Capability({ name: "shell", protocol: "ssh/2", url: original })]);
    expect(client.manifestBindings.find((c) => c.name === "shell")!.url).toBe(original);
    const routed = client.binding("shell").url;
    const port = portOf(routed);
    expect(routed).toBe(`ssh://agent@127.0.0.1:${port}/work/dir?mode=fast#top`);
    // The routed port really reaches the capability.
    const peer = await dial(port);
    await peer.write("hi");
    expect((await peer.readBytes(2)).toString()).toBe("hi");
  });

  it("carries an 8 MiB payload intact (and half-close lets the backend answer after our EOF)", async () => {
    const { client } = await setup();
    const body = randomBytes(8 * MiB);
    const reply = await exchange(portOf(client.binding("digest").url), body);
    expect(reply.toString()).toBe(`${body.length} ${sha256(body)}\n`);
  });

  it("tunnels through a control channel on a unix socket: 8 MiB intact, and EOF when it is gone", async () => {
    const { client, server, warnings } = await setup([], "unix");
    expect(server.url).toBe(`unix://${server.path}`);
    const body = randomBytes(8 * MiB);
    const reply = await exchange(portOf(client.binding("digest").url), body);
    expect(reply.toString()).toBe(`${body.length} ${sha256(body)}\n`);
    const port = portOf(client.binding("echo").url);
    await server.close();
    expect(existsSync(server.path!)).toBe(false);
    const peer = await dial(port);
    await peer.readToEnd();
    expect(peer.ended).toBe(true);
    expect(warnings).toEqual([expect.stringContaining(`tunnel peer ${server.path} connection failed`)]);
  });

  it("8 concurrent streams do not interleave (python-sdk case 22)", async () => {
    const { client } = await setup();
    const port = portOf(client.binding("echo").url);
    const bodies = Array.from({ length: 8 }, (_, i) => Buffer.alloc(512 * 1024, i + 1));
    const replies = await Promise.all(bodies.map((body) => exchange(port, body)));
    replies.forEach((reply, i) => {
      expect(reply.length).toBe(bodies[i]!.length);
      expect(reply.equals(bodies[i]!)).toBe(true);
    });
  });

  it("propagates a backend's half-close: we read its EOF and can still send what it then receives", async () => {
    const received: Buffer[] = [];
    let backendDone!: () => void;
    const done = new Promise<void>((resolve) => {
      backendDone = resolve;
    });
    const greeter = await tcpServer((socket) => {
      socket.end("hello, then EOF\n");
      socket.on("data", (chunk: Buffer) => received.push(chunk));
      socket.on("end", () => backendDone());
    });
    defer(() => greeter.close());
    const { client } = await setup([
      new Capability({ name: "greeter", protocol: "greet/1", url: `tcp://127.0.0.1:${greeter.port}` }),
    ]);
    const peer = await dial(portOf(client.binding("greeter").url));
    expect((await peer.readToEnd()).toString()).toBe("hello, then EOF\n");
    await peer.write("late words");
    peer.end();
    await done;
    expect(Buffer.concat(received).toString()).toBe("late words");
  });

  it("after client.close() the forwarder port refuses connections (python-sdk case 25)", async () => {
    const { client } = await setup();
    const port = portOf(client.binding("echo").url);
    await client.close();
    const error = await RawPeer.connect(port).then(
      (peer) => {
        peer.destroy();
        return undefined;
      },
      (e: NodeJS.ErrnoException) => e,
    );
    expect(error?.code).toBe("ECONNREFUSED");
  });

  it("closing the client drops streams that are still open", async () => {
    const { client, echo } = await setup();
    const peer = await dial(portOf(client.binding("echo").url));
    await peer.write("x");
    await peer.readBytes(1);
    await client.close();
    await peer.readToEnd();
    expect(peer.ended).toBe(true);
    await waitUntil(() => echo.open === 0, "the backend connection closed");
  });

  it("a refused tunnel closes the local connection and warns with the reason", async () => {
    const down = await unusedPort();
    const { client, warnings } = await setup([
      new Capability({ name: "down", protocol: "echo/1", url: `tcp://127.0.0.1:${down}` }),
    ]);
    const peer = await dial(portOf(client.binding("down").url));
    await peer.readToEnd();
    expect(peer.ended).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("tunnel.open 'down' refused");
    expect(warnings[0]).toContain(String(down));
  });

  it("when the control address is gone the local connection reads EOF and warns (python-sdk case 3)", async () => {
    const { client, server, warnings } = await setup();
    const port = portOf(client.binding("echo").url);
    await server.close();
    const peer = await dial(port);
    await peer.readToEnd();
    expect(peer.ended).toBe(true);
    expect(warnings).toEqual([
      expect.stringContaining(`tunnel peer 127.0.0.1:${server.port} connection failed`),
    ]);
  });

  it("bindings without a host:port are listed unrouted and get no forwarder", async () => {
    const { client } = await setup([
      new Capability({ name: "portless", protocol: "custom/1", url: "custom://somewhere" }),
    ]);
    expect(client.binding("portless").url).toBe("custom://somewhere");
  });
});
