// HudClient calls: reply timeouts, id correlation, error frames, serialization, bindings, close vs bye.
import { bind, Capability, connect, ErrorCode, HudClient, HudError, RpcError } from "hud";
import { describe, expect, it } from "vitest";
import { RpcConnection } from "../src/protocol/rpc-connection.ts";
import { useCleanup } from "./support/cleanup.ts";
import { controlEnv } from "./support/control-env.ts";
import { type Frame, RawPeer } from "./support/raw-peer.ts";
import { echoServer, stubServer } from "./support/tcp-backends.ts";

const defer = useCleanup();

const HELLO = { session_id: "sess-0000abcd", env: { name: "stub", version: "9" }, bindings: [] };

/** A stub control server: answers hello, then hands every later request to `onRequest`. */
async function stubClient(
  onRequest: (request: Frame, peer: RawPeer) => void | Promise<void>,
  options: { replyTimeout?: number; taskTimeout?: number } = {},
) {
  const peers: RawPeer[] = [];
  const server = await stubServer(async (peer) => {
    peers.push(peer);
    const hello = await peer.next();
    peer.send({ jsonrpc: "2.0", id: hello.id, result: HELLO });
    for (;;) {
      const request = await peer.nextOrEof(60);
      if (request === "eof") {
        peer.end();
        return;
      }
      await onRequest(request, peer);
    }
  });
  defer(() => server.close());
  const client = await connect(`tcp://127.0.0.1:${server.port}`, { readyTimeout: 10, ...options });
  defer(() => client.close());
  return { client, peer: () => peers[0]! };
}

async function realClient(options: { maxFrameBytes?: number } = {}) {
  const { env, probe } = controlEnv();
  const server = await bind(env, options);
  defer(() => server.close());
  const client = await connect(server.url, { readyTimeout: 10 });
  defer(() => client.close());
  return { server, client, probe };
}

async function failure(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  if (!("error" in outcome)) throw new Error(`expected a rejection, got ${JSON.stringify(outcome.value)}`);
  expect(outcome.error).toBeInstanceOf(Error);
  return outcome.error as Error;
}

describe("reply handling", () => {
  it("a server that stops answering mid-session: the call times out and the connection is aborted", async () => {
    const { client, peer } = await stubClient(() => {}, { replyTimeout: 0.3 });
    const error = await failure(client.listTasks());
    expect(HudError.is(error)).toBe(true);
    expect(error.message).toContain("'tasks.list' got no reply");
    expect(error.message).toContain("0.3s");
    await peer().readToEnd();
    expect(peer().ended).toBe(true);
    // Later calls fail at once instead of writing to a dead connection.
    expect((await failure(client.cancel())).message).toContain("no reply");
  });

  it("task calls have their own (longer) reply timeout", async () => {
    const { client, peer } = await stubClient(
      (request, p) => {
        if (request.method === "tasks.start")
          p.send({ jsonrpc: "2.0", id: request.id, result: { prompt: "p" } });
      },
      { replyTimeout: 30, taskTimeout: 0.3 },
    );
    expect(await client.startTask("t")).toEqual({ prompt: "p" });
    const error = await failure(client.grade({ answer: 1 }));
    expect(error.message).toContain("'tasks.grade' got no reply");
    await peer().readToEnd();
  });

  it("a reply with the wrong id is an error and aborts the connection", async () => {
    const { client, peer } = await stubClient((request, p) => {
      p.send({ jsonrpc: "2.0", id: Number(request.id) + 1, result: { tasks: [] } });
    });
    const error = await failure(client.listTasks());
    expect(RpcError.is(error)).toBe(true);
    expect(error).toMatchObject({
      code: ErrorCode.InternalError,
      message: "'tasks.list': reply id did not match request",
    });
    await peer().readToEnd();
    expect(peer().ended).toBe(true);
    await failure(client.cancel());
  });

  it("a frame nobody asked for aborts the connection", async () => {
    const { client, peer } = await stubClient(() => {});
    peer().send({ jsonrpc: "2.0", id: 77, result: {} });
    await peer().readToEnd();
    expect(peer().ended).toBe(true);
    await failure(client.listTasks());
  });

  it("a result that is not an object is -32603", async () => {
    const { client } = await stubClient((request, p) =>
      p.send({ jsonrpc: "2.0", id: request.id, result: [1] }),
    );
    expect(await failure(client.listTasks())).toMatchObject({
      code: ErrorCode.InternalError,
      message: "'tasks.list': result was not an object",
    });
  });

  it("a grade frame without a numeric score is -32603", async () => {
    const { client } = await stubClient((request, p) =>
      p.send({ jsonrpc: "2.0", id: request.id, result: { reward: 1 } }),
    );
    expect(await failure(client.grade({ answer: 1 }))).toMatchObject({ code: ErrorCode.InternalError });
  });

  it("a peer that closes during a call rejects it naming the method", async () => {
    const { client } = await stubClient((_request, p) => p.destroy());
    const error = await failure(client.grade({ answer: 1 }));
    expect(HudError.is(error)).toBe(true);
    expect(error.message).toContain("closed connection during 'tasks.grade'");
  });

  it("error frames become RpcError with the code and message", async () => {
    const { client } = await realClient();
    const error = await failure(client.startTask("nope"));
    expect(RpcError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: ErrorCode.InvalidParams, message: "unknown task: 'nope'" });
    // An error reply does not hurt the connection.
    expect((await client.startTask("echo", { text: "t" })).prompt).toBe("say t");
  });

  it("a request the server refuses as too large surfaces the server's error, not an id mismatch", async () => {
    const { client } = await realClient({ maxFrameBytes: 1024 });
    await client.startTask("echo", { text: "t" });
    const error = await failure(client.grade({ answer: "x".repeat(4096) }));
    expect(RpcError.is(error)).toBe(true);
    expect(error).toMatchObject({ code: ErrorCode.InvalidRequest });
    expect(error.message).toContain("frame too large");
  });
});

describe("serialization", () => {
  it("calls fired together go one at a time, in order, each with its own reply", async () => {
    let pipelined = 0;
    const ids: unknown[] = [];
    const { client } = await stubClient(async (request, p) => {
      ids.push(request.id);
      await new Promise((resolve) => setTimeout(resolve, 30));
      if (p.buffered > 0) pipelined++;
      const params = request.params as Frame;
      const result =
        request.method === "tasks.start"
          ? { prompt: `prompt ${String(params.id)}` }
          : request.method === "tasks.grade"
            ? { score: params.answer }
            : { tasks: [{ id: `list-${String(request.id)}`, description: "", args: {} }] };
      p.send({ jsonrpc: "2.0", id: request.id, result });
    });
    const [a, ga, list, b, gb] = await Promise.all([
      client.startTask("a"),
      client.grade({ answer: 0.25 }),
      client.listTasks(),
      client.startTask("b"),
      client.grade({ answer: 0.75 }),
    ]);
    expect(a).toEqual({ prompt: "prompt a" });
    expect(ga).toEqual({ score: 0.25 });
    expect(list).toEqual([{ id: "list-4", description: "", args: {} }]);
    expect(b).toEqual({ prompt: "prompt b" });
    expect(gb).toEqual({ score: 0.75 });
    expect(ids).toEqual([2, 3, 4, 5, 6]);
    expect(pipelined).toBe(0);
  });

  it("a failed call does not block the ones queued behind it", async () => {
    const { client } = await realClient();
    const [bad, good] = await Promise.allSettled([
      client.startTask("nope"),
      client.startTask("echo", { text: "q" }),
    ]);
    expect(bad.status).toBe("rejected");
    expect(good).toEqual({ status: "fulfilled", value: { prompt: "say q" } });
  });
});

describe("bindings", () => {
  async function withCapabilities() {
    const echo = await echoServer();
    defer(() => echo.close());
    const { env } = controlEnv();
    const at = `127.0.0.1:${echo.port}`;
    env.addCapability(new Capability({ name: "shell", protocol: "ssh/2", url: `ssh://${at}` }));
    env.addCapability(Capability.mcp({ url: `http://${at}/mcp` }));
    env.addCapability(Capability.cdp({ url: `ws://${at}/devtools/browser/x` }));
    env.addCapability(Capability.rfb({ name: "screen-a", url: `rfb://${at}` }));
    env.addCapability(Capability.rfb({ name: "screen-b", url: `rfb://${at}` }));
    const server = await bind(env);
    defer(() => server.close());
    const client = await connect(server.url, { readyTimeout: 10 });
    defer(() => client.close());
    return { server, client };
  }

  it("resolves a binding by name, full protocol, or protocol family", async () => {
    const { client } = await withCapabilities();
    expect(client.binding("shell").protocol).toBe("ssh/2");
    expect(client.binding("ssh").name).toBe("shell");
    expect(client.binding("ssh/2").name).toBe("shell");
    expect(client.binding("mcp/2025-11-25").name).toBe("tools");
    expect(client.binding("mcp").params).toMatchObject({ transport: "streamable-http" });
    expect(client.binding("cdp").url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/devtools\/browser\/x$/);
    expect(client.binding("screen-b").name).toBe("screen-b");
  });

  it("an ambiguous ref lists the matches; a missing one lists what is available", async () => {
    const { client } = await withCapabilities();
    const ambiguous = (() => {
      try {
        client.binding("rfb");
      } catch (error) {
        return error as Error;
      }
    })();
    expect(HudError.is(ambiguous)).toBe(true);
    expect(ambiguous?.message).toBe("ambiguous capability 'rfb': screen-a (rfb/3.8), screen-b (rfb/3.8)");
    expect(() => client.binding("robot")).toThrow(
      "no capability 'robot' (available: shell (ssh/2), tools (mcp/2025-11-25), browser (cdp/1.3), screen-a (rfb/3.8), screen-b (rfb/3.8))",
    );
  });

  it("with no bindings the error says <none>", async () => {
    const { client } = await realClient();
    expect(() => client.binding("shell")).toThrow("no capability 'shell' (available: <none>)");
  });

  it("before hello, binding() is an error", async () => {
    const { server } = await realClient();
    const address = { host: "127.0.0.1", port: server.port };
    const connection = await RpcConnection.open(address);
    const client = HudClient.attach(server.url, address, connection, {});
    defer(() => client.close());
    expect(() => client.binding("shell")).toThrow(HudError);
    expect(() => client.binding("shell")).toThrow("hello");
  });

  it("a heartbeat hello with the own session id keeps the session and the forwarders", async () => {
    const { client } = await withCapabilities();
    const before = client.binding("shell").url;
    const sid = client.sessionId!;
    expect((await client.hello(sid)).session_id).toBe(sid);
    expect(client.binding("shell").url).toBe(before);
  });
});

describe("lifetime", () => {
  it("await using closes the client (its forwarders stop listening)", async () => {
    const echo = await echoServer();
    defer(() => echo.close());
    const { env } = controlEnv();
    env.addCapability(
      new Capability({ name: "echo", protocol: "echo/1", url: `tcp://127.0.0.1:${echo.port}` }),
    );
    const server = await bind(env);
    defer(() => server.close());
    let port = 0;
    {
      await using client = await connect(server.url, { readyTimeout: 10 });
      port = Number(/:(\d+)$/.exec(client.binding("echo").url)![1]);
      const peer = await RawPeer.connect(port);
      peer.destroy();
    }
    const refused = await RawPeer.connect(port).then(
      (peer) => {
        peer.destroy();
        return undefined;
      },
      (error: NodeJS.ErrnoException) => error.code,
    );
    expect(refused).toBe("ECONNREFUSED");
  });

  it("close() without bye parks the task: a new connection can adopt and grade it", async () => {
    const { server, client, probe } = await realClient();
    await client.startTask("tagged", { tag: "kept" });
    await client.close();
    expect(probe.finallyRan).toEqual([]);
    const next = await connect(server.url, { readyTimeout: 10 });
    defer(() => next.close());
    expect(await next.grade({ answer: "later" })).toEqual({ score: 1, tag: "kept", answer: "later" });
  });

  it("bye() cancels the task instead: its cleanup runs and nothing is left to adopt", async () => {
    const { server, client, probe } = await realClient();
    await client.startTask("tagged", { tag: "gone" });
    await client.bye();
    expect(probe.finallyRan).toEqual(["gone"]);
    await client.close();
    const next = await connect(server.url, { readyTimeout: 10 });
    defer(() => next.close());
    expect(await failure(next.grade({ answer: "later" }))).toMatchObject({
      code: ErrorCode.InvalidRequest,
      message: "no task in progress",
    });
  });

  it("cancel() runs the task's cleanup and the session stays usable", async () => {
    const { client, probe } = await realClient();
    await client.startTask("tagged", { tag: "c" });
    await client.cancel();
    expect(probe.finallyRan).toEqual(["c"]);
    expect((await client.startTask("echo", { text: "again" })).prompt).toBe("say again");
  });

  it("solve() returns the reference answer", async () => {
    const { client } = await realClient();
    await client.startTask("solvable");
    expect(await client.solve()).toBe("42");
  });
});
