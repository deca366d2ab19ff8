// filetracking/1 over real loopback: the server's capability and methods, wire errors, limits, and the client.
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { FileTrackingClient } from "../src/capabilities/clients/filetracking.ts";
import { type FileTracking, startFileTracking } from "../src/environment/workspace/file-tracking-server.ts";
import { useCleanup } from "./support/cleanup.ts";
import { RawPeer } from "./support/raw-peer.ts";

const defer = useCleanup();

async function workspace(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "hud-filetracking-"));
  defer(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function put(root: string, path: string, content: string): Promise<void> {
  await mkdir(dirname(join(root, path)), { recursive: true });
  await writeFile(join(root, path), content);
}

async function serve(root: string, options = {}): Promise<FileTracking> {
  const tracking = await startFileTracking(root, options);
  defer(() => tracking.stop());
  return tracking;
}

async function client(tracking: FileTracking): Promise<FileTrackingClient> {
  const c = await FileTrackingClient.connect(tracking.capability);
  defer(() => c.close());
  return c;
}

function portOf(tracking: FileTracking): number {
  return Number(tracking.capability.url.split(":").pop());
}

describe("startFileTracking", () => {
  it("publishes a filetracking/1 capability on loopback with the root and setup_diff", async () => {
    const root = await workspace();
    const tracking = await serve(root);
    expect(tracking.capability.toManifest()).toEqual({
      name: "filetracking",
      protocol: "filetracking/1",
      url: `tcp://127.0.0.1:${portOf(tracking)}`,
      params: { root, setup_diff: true },
    });
  });

  it("serves setup, snapshot, diff, flush and advance to the client", async () => {
    const root = await workspace();
    await put(root, "base.txt", "base\n");
    const tracking = await serve(root);
    await put(root, "setup.txt", "from the task\n");
    const c = await client(tracking);
    const setup = await c.setup();
    expect(setup.patches.map((p) => [p.path, p.status])).toEqual([["setup.txt", "added"]]);
    await put(root, "base.txt", "changed\n");
    const snapshot = await c.snapshot();
    expect(snapshot.files.map((f) => f.path)).toEqual(["base.txt", "setup.txt"]);
    const diff = await c.diff();
    expect(diff.patches).toEqual([
      expect.objectContaining({
        path: "base.txt",
        status: "modified",
        patch: "--- a/base.txt\n+++ b/base.txt\n@@ -1 +1 @@\n-base\n+changed\n",
      }),
    ]);
    await put(root, "page.html", "<h1>hi</h1>\n");
    const flush = await c.flush();
    expect(flush.diff.patches.map((p) => p.path)).toEqual(["page.html"]);
    expect(flush.capture.files.map((f) => [f.path, f.content_type])).toEqual([["page.html", "text/html"]]);
    expect(Buffer.from(flush.capture.files[0]!.file.data, "base64").toString()).toBe("<h1>hi</h1>\n");
    await put(root, "late.txt", "x\n");
    expect(await c.advance()).toEqual({ advanced: true });
    expect((await c.diff()).patches).toEqual([]);
  });

  it("answers an unknown method with -32000 and keeps the connection; params are ignored", async () => {
    const tracking = await serve(await workspace());
    const peer = await RawPeer.connect(portOf(tracking));
    defer(() => peer.destroy());
    const unknown = await peer.request("bogus", {});
    expect(unknown).toMatchObject({ jsonrpc: "2.0", id: 1, error: { code: -32000 } });
    expect(String((unknown.error as { message: string }).message)).toContain("bogus");
    expect(await peer.call("snapshot", { ignored: true })).toEqual({ files: [], files_scanned: 0 });
    await peer.write("not json\n");
    expect(await peer.next()).toMatchObject({ id: null, error: { code: -32700 } });
    expect(await peer.call("diff")).toMatchObject({ files_changed: 0, patches: [] });
  });

  it("refuses an oversized request frame and closes that connection only", async () => {
    const tracking = await serve(await workspace(), { maxFrameBytes: 1024 });
    const peer = await RawPeer.connect(portOf(tracking));
    defer(() => peer.destroy());
    await peer.write(`{"jsonrpc":"2.0","id":1,"method":"diff","params":{"pad":"${"x".repeat(2000)}"}}\n`);
    expect(await peer.next()).toMatchObject({ id: null, error: { code: -32600 } });
    await peer.expectEof();
    const c = await client(tracking);
    expect((await c.diff()).files_changed).toBe(0);
  });

  it("serializes calls across connections: each change is reported once", async () => {
    const root = await workspace();
    const tracking = await serve(root);
    const [a, b] = [await client(tracking), await client(tracking)];
    await put(root, "one.txt", "1\n");
    const results = await Promise.all([a.diff(), b.diff(), a.diff(), b.diff()]);
    expect(results.map((r) => r.files_changed).sort()).toEqual([0, 0, 0, 1]);
  });

  it("delivers replies far over the control channel's default frame size", async () => {
    const root = await workspace();
    const tracking = await serve(root);
    const c = await client(tracking);
    const line = `${"0123456789abcdef".repeat(4)}\n`;
    for (let i = 0; i < 300; i++) await put(root, `data/f${i}.txt`, line.repeat(1000));
    const diff = await c.diff();
    expect(diff.files_changed).toBe(300);
    expect(JSON.stringify(diff).length).toBeGreaterThan(16 * 1024 * 1024);
  });

  it("stop() closes the port and open connections", async () => {
    const tracking = await startFileTracking(await workspace());
    const c = await FileTrackingClient.connect(tracking.capability);
    defer(() => c.close());
    await tracking.stop();
    await expect(c.diff()).rejects.toThrow(/filetracking/);
    await expect(FileTrackingClient.connect(tracking.capability)).rejects.toThrow(/cannot connect/);
  });
});

describe("FileTrackingClient", () => {
  it("fails a call the server never answers, with the method named", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    defer(
      () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          silent.close(() => resolve());
        }),
    );
    const port = (silent.address() as { port: number }).port;
    const c = await FileTrackingClient.connect(`tcp://127.0.0.1:${port}`, { timeout: 0.2 });
    defer(() => c.close());
    await expect(c.diff()).rejects.toThrow("filetracking 'diff' got no reply within 0.2s");
  });

  it("rejects a url without a port", async () => {
    await expect(FileTrackingClient.connect("tcp://127.0.0.1")).rejects.toThrow(/no port/);
  });
});
