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

/** Push `total` bytes to `port`, half-close, wait for the sink's count; returns MiB/s. */
async function push(port: number, total: number): Promise<number> {
  const socket: Socket = netConnect({ host: "127.0.0.1", port, allowHalfOpen: true });
  await once(socket, "connect");
  const reply: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => reply.push(chunk));
  const ended = once(socket, "end");
  const start = performance.now();
  for (let sent = 0; sent < total; sent += CHUNK.length) {
    if (!socket.write(CHUNK)) await once(socket, "drain");
  }
  socket.end();
  await ended;
  const seconds = (performance.now() - start) / 1000;
  socket.destroy();
  const count = Number(Buffer.concat(reply).toString());
  if (count !== total) throw new Error(`sink received ${count} bytes, sent ${total}`);
  return total / MiB / seconds;
}

export async function tunnelThroughput(options: { runs: number; megabytes: number }): Promise<Figure> {
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
    const tunnelPort = Number(forwarded.port);
    const results = await interleaved(options.runs, {
      direct: () => push(sinkPort, total),
      relay: () => push(relayPort, total),
      relay2: () => push(relay2Port, total),
      tunnel: () => push(tunnelPort, total),
    });
    const mibs = (value: number) => `${Math.round(value).toLocaleString("en-US")} MiB/s`;
    const onFloor = (value: number) => `${(results.tunnel.median / value).toFixed(2)}×`;
    return {
      name: "tunnel throughput",
      value: results.tunnel.median,
      floor: results.relay2.median,
      floorName: "2 plain pipe relays, same hops",
      unit: "MiB/s",
      better: "higher",
      target: 0.7,
      notes: [
        `${options.megabytes} MiB per run, median of ${options.runs}; ` +
          `direct ${mibs(results.direct.median)}, 1 relay ${mibs(results.relay.median)} (tunnel ${onFloor(results.relay.median)} of it), ` +
          `2 relays ${mibs(results.relay2.median)}`,
        `samples MiB/s: tunnel ${results.tunnel.samples.map((s) => s.toFixed(0)).join(" ")}; ` +
          `2 relays ${results.relay2.samples.map((s) => s.toFixed(0)).join(" ")}`,
      ],
    };
  } finally {
    await client.close();
    await hud.close();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  }
}
