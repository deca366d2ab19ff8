// Benchmark: bytes/s through connect() + forwarder + tunnel.open to a sink, next to plain loopback relays.
import { once } from "node:events";
import { createServer, connect as netConnect, type Server, type Socket } from "node:net";
import { bind, Capability, connect, Environment } from "hud";
import { type Figure, interleaved } from "./measure.ts";

const MiB = 1024 * 1024;
const CHUNK = Buffer.alloc(256 * 1024, 0x61);

async function listen(server: Server): Promise<number> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  if (typeof address !== "object" || !address) throw new Error("no address");
  return address.port;
}

/** Counts what it receives; at EOF it answers with the count and closes (so the sender learns the end). */
function sinkServer(): Server {
  return createServer({ allowHalfOpen: true }, (socket) => {
    let received = 0;
    socket.on("data", (chunk: Buffer) => {
      received += chunk.length;
    });
    socket.on("end", () => socket.end(String(received)));
    socket.on("error", () => {});
  });
}

/** A plain relay: each connection dials `port` and pipes both ways (what a minimal proxy costs). */
function relayServer(port: number): Server {
  return createServer({ allowHalfOpen: true }, (socket) => {
    const upstream = netConnect({ host: "127.0.0.1", port, allowHalfOpen: true });
    socket.on("error", () => upstream.destroy());
    upstream.on("error", () => socket.destroy());
    socket.pipe(upstream);
    upstream.pipe(socket);
  });
}

/** Open a capability stream by hand: the tunnel.open frame, then its one-line reply. */
async function openTunnel(socket: Socket): Promise<void> {
  socket.write(
    `${JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tunnel.open", params: { capability: "sink" } })}\n`,
  );
  let text = "";
  while (!text.includes("\n")) {
    const [chunk] = (await once(socket, "data")) as [Buffer];
    text += chunk.toString();
  }
  if (!text.endsWith("\n") || !JSON.parse(text).result) throw new Error(`tunnel.open failed: ${text}`);
}

/** Push `total` bytes to `port`, half-close, wait for the sink's count; returns MiB/s. */
async function push(
  port: number,
  total: number,
  handshake?: (socket: Socket) => Promise<void>,
): Promise<number> {
  const socket: Socket = netConnect({ host: "127.0.0.1", port, allowHalfOpen: true });
  await once(socket, "connect");
  await handshake?.(socket);
  const reply: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => reply.push(chunk));
  const ended = once(socket, "end");
  const start = performance.now();
  for (let sent = 0; sent < total; sent += CHUNK.length) {
    if (!socket.write(CHUNK)) await once(socket, "drain");
  }
  socket.end();
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no EOF from the sink on port ${port} within 60 s`)), 60_000);
  });
  try {
    await Promise.race([ended, stuck]);
  } finally {
    clearTimeout(timer);
  }
  const seconds = (performance.now() - start) / 1000;
  socket.destroy();
  const count = Number(Buffer.concat(reply).toString());
  if (count !== total) throw new Error(`sink received ${count} bytes, sent ${total}`);
  return total / MiB / seconds;
}

/**
 * Two figures, each next to a floor with the same number of relay hops: the server side alone (a raw
 * tunnel.open on the control port; one hop, like one plain relay) and the whole client path (connect()
 * forwarder + server; two hops, like two chained relays).
 */
export async function tunnelThroughput(options: { runs: number; megabytes: number }): Promise<Figure[]> {
  const total = Math.ceil((options.megabytes * MiB) / CHUNK.length) * CHUNK.length;
  const servers: Server[] = [];
  const start = async (server: Server) => {
    servers.push(server);
    return listen(server);
  };
  const sinkPort = await start(sinkServer());
  const relayPort = await start(relayServer(sinkPort));
  const relay2Port = await start(relayServer(relayPort));
  const env = new Environment({
    name: "bench",
    version: "1.0.0",
    capabilities: [new Capability({ name: "sink", protocol: "raw/0", url: `tcp://127.0.0.1:${sinkPort}` })],
  });
  const hud = await bind(env);
  const client = await connect(hud.url);
  try {
    const forwarded = new URL(client.binding("sink").url.replace(/^tcp:/, "http:"));
    const forwarderPort = Number(forwarded.port);
    const results = await interleaved(options.runs, {
      direct: () => push(sinkPort, total),
      relay: () => push(relayPort, total),
      server: () => push(hud.port, total, openTunnel),
      relay2: () => push(relay2Port, total),
      forwarded: () => push(forwarderPort, total),
    });
    const mibs = (value: number) => `${Math.round(value).toLocaleString("en-US")} MiB/s`;
    const samples = (name: keyof typeof results) => results[name].samples.map((s) => s.toFixed(0)).join(" ");
    const common = { unit: "MiB/s", better: "higher" as const, target: 0.7 };
    return [
      {
        ...common,
        name: "tunnel, server side",
        value: results.server.median,
        floor: results.relay.median,
        floorName: "1 plain pipe relay",
        notes: [
          `raw tunnel.open on the control port → sink; ${options.megabytes} MiB per run, median of ${options.runs}; ` +
            `direct client→sink ${mibs(results.direct.median)}`,
          `samples MiB/s: tunnel ${samples("server")}; relay ${samples("relay")}`,
        ],
      },
      {
        ...common,
        name: "tunnel, connect() + forwarder",
        value: results.forwarded.median,
        floor: results.relay2.median,
        floorName: "2 chained pipe relays",
        notes: [
          `client → forwarder → control server → sink; against 1 relay: ` +
            `${(results.forwarded.median / results.relay.median).toFixed(2)}×`,
          `samples MiB/s: tunnel ${samples("forwarded")}; 2 relays ${samples("relay2")}`,
        ],
      },
    ];
  } finally {
    await client.close();
    await hud.close();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}
