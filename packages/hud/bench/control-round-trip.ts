// Benchmark: tasks.start + tasks.grade round trips through HudClient against bind(env), next to a raw NDJSON echo floor.
import { once } from "node:events";
import { createServer, connect as netConnect, type Server, type Socket } from "node:net";
import { bind, connect, Environment } from "hud";
import { type Figure, interleaved, rate } from "./measure.ts";

/** A line-echo server: the least any NDJSON request/response exchange over loopback can cost. */
async function echoServer(): Promise<Server> {
  const server = createServer({ noDelay: true }, (socket) => {
    let pending: Buffer | undefined;
    socket.on("data", (chunk: Buffer) => {
      const data = pending ? Buffer.concat([pending, chunk]) : chunk;
      const last = data.lastIndexOf(0x0a);
      if (last < 0) {
        pending = data;
        return;
      }
      socket.write(data.subarray(0, last + 1));
      pending = last + 1 < data.length ? data.subarray(last + 1) : undefined;
    });
    socket.on("error", () => {});
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return server;
}

/** A client doing one JSON request/response exchange at a time, parsing each reply. */
async function echoClient(
  port: number,
): Promise<{ exchange: (message: object) => Promise<unknown>; socket: Socket }> {
  const socket = netConnect({ host: "127.0.0.1", port, noDelay: true });
  await once(socket, "connect");
  let waiting: ((line: unknown) => void) | undefined;
  let pending = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    pending += chunk;
    let at = pending.indexOf("\n");
    while (at >= 0) {
      const line = pending.slice(0, at);
      pending = pending.slice(at + 1);
      const resolve = waiting;
      waiting = undefined;
      resolve?.(JSON.parse(line));
      at = pending.indexOf("\n");
    }
  });
  const exchange = (message: object) =>
    new Promise<unknown>((resolve) => {
      waiting = resolve;
      socket.write(`${JSON.stringify(message)}\n`);
    });
  return { exchange, socket };
}

export async function controlRoundTrip(options: { runs: number; seconds: number }): Promise<Figure> {
  const env = new Environment({ name: "bench", version: "1.0.0" });
  env.template("noop", async function* () {
    yield "go";
    yield 1;
  });
  const server = await bind(env);
  const client = await connect(server.url, { forwarders: false });
  const echo = await echoServer();
  const address = echo.address();
  if (typeof address !== "object" || !address) throw new Error("echo server has no address");
  const raw = await echoClient(address.port);
  let id = 0;
  try {
    const results = await interleaved(options.runs, {
      floor: () =>
        rate(options.seconds, async () => {
          await raw.exchange({
            jsonrpc: "2.0",
            id: ++id,
            method: "tasks.start",
            params: { id: "noop", args: {} },
          });
          await raw.exchange({ jsonrpc: "2.0", id: ++id, method: "tasks.grade", params: { answer: "x" } });
        }),
      hud: () =>
        rate(options.seconds, async () => {
          await client.startTask("noop");
          await client.grade({ answer: "x" });
        }),
    });
    const us = (perSecond: number) => 1e6 / perSecond;
    return {
      name: "control round trip",
      value: us(results.hud.median),
      floor: us(results.floor.median),
      floorName: "NDJSON echo, 2 exchanges",
      unit: "µs",
      better: "lower",
      target: 2,
      notes: [
        `tasks.start + tasks.grade: ${Math.round(results.hud.median).toLocaleString("en-US")}/s; ` +
          `echo floor ${Math.round(results.floor.median).toLocaleString("en-US")}/s ` +
          `(samples µs: hud ${results.hud.samples.map((s) => us(s).toFixed(0)).join(" ")}, ` +
          `floor ${results.floor.samples.map((s) => us(s).toFixed(0)).join(" ")})`,
      ],
    };
  } finally {
    raw.socket.destroy();
    await client.close();
    await server.close();
    await new Promise((resolve) => echo.close(resolve));
  }
}
