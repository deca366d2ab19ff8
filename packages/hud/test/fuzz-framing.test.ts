// Fuzz the control channel: 10,000+ seeded hostile frames against one live server, which must keep serving everyone.
import { once } from "node:events";
import { createServer, connect as netConnect, type Socket } from "node:net";
import { setImmediate as tick } from "node:timers/promises";
import v8 from "node:v8";
import vm from "node:vm";
import { bind, Capability, connect, Environment, type HudServer } from "hud";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ECHO_TEMPLATE, FrameGen, mismatch, mulberry32, predict, type Script } from "./fuzz-frames.ts";

/** Reproduce a failure with HUD_FUZZ_SEED=<seed>. */
const SEED = Number(process.env.HUD_FUZZ_SEED ?? 20250601);
const LIMIT = 64 * 1024;
const BIG_LIMIT = 16 * 1024 * 1024;
const CHECKPOINT_FRAMES = 2_000;
const TOTAL_FRAMES = 10_000;
const CONCURRENCY = 12;
const CONNECTION_DEADLINE_MS = 20_000;
const MiB = 1024 * 1024;

function fuzzEnv(sinkPort: number): Environment {
  const env = new Environment({
    name: "fuzz",
    version: "1.0.0",
    // Published but unreachable: tunnel.open "sink" must fail cleanly (-32000).
    capabilities: [new Capability({ name: "sink", protocol: "raw/0", url: `tcp://127.0.0.1:${sinkPort}` })],
  });
  env.template(
    { id: ECHO_TEMPLATE, description: "say the word back", args: z.object({ word: z.string() }) },
    async function* ({ word }) {
      const answer = yield `say ${word}`;
      yield answer === word ? 1 : 0;
    },
  );
  return env;
}

/** A loopback port nobody listens on. */
async function closedPort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (typeof address !== "object" || !address) throw new Error("no address");
  return address.port;
}

/** Heap figures after forcing collection (gc is exposed at runtime when the process was not started with it). */
async function settledMemory(): Promise<NodeJS.MemoryUsage> {
  let gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) {
    v8.setFlagsFromString("--expose-gc");
    gc = vm.runInNewContext("gc") as () => void;
  }
  for (let i = 0; i < 4; i++) {
    gc();
    await tick();
  }
  return process.memoryUsage();
}

/** A well-behaved client doing start/grade round trips until stopped; the fuzz must never disturb it. */
function controlLoop(url: string) {
  let rounds = 0;
  let stopping = false;
  const done = (async () => {
    const client = await connect(url, {
      forwarders: false,
      readyTimeout: 10,
      replyTimeout: 30,
      taskTimeout: 30,
    });
    try {
      while (!stopping) {
        const word = `w${rounds}`;
        const prompt = await client.startTask(ECHO_TEMPLATE, { word });
        if (prompt.prompt !== `say ${word}`) throw new Error(`control: prompt ${JSON.stringify(prompt)}`);
        const grade = await client.grade({ answer: word });
        if (grade.score !== 1) throw new Error(`control: grade ${JSON.stringify(grade)}`);
        rounds++;
      }
    } finally {
      await client.close();
    }
  })();
  done.catch(() => {}); // surfaced by stop()
  return {
    get rounds() {
      return rounds;
    },
    stop: () => {
      stopping = true;
      return done;
    },
  };
}

/** Send one script on a fresh connection; return a description of what went wrong, or undefined. */
/** Replies checked against the oracle (so a run that checks nothing is visible). */
const checked = { replies: 0, errors: 0 };

async function runScript(
  port: number,
  limit: number,
  script: Script,
  label: string,
): Promise<string | undefined> {
  const socket = netConnect({ host: "127.0.0.1", port });
  socket.on("error", () => {}); // resets after fatal frames are expected; replies are what we check
  const received: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => received.push(chunk));
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), CONNECTION_DEADLINE_MS);
  });
  try {
    await Promise.race([once(socket, "connect"), closed]);
    if (socket.destroyed) return `${label}: could not connect`;
    const sent =
      script.kind === "cut-destroy" ? script.stream.subarray(0, script.destroyAfter) : script.stream;
    if (script.kind !== "slam") await writeAll(socket, sent, script.chunks, closed);
    if (script.kind === "slam" || script.kind === "cut-destroy") {
      socket.destroy();
    } else {
      socket.end();
      if ((await Promise.race([closed, deadline])) === "timeout")
        return `${label}: server did not close the connection`;
    }
    const text = Buffer.concat(received).toString("utf8");
    const lines = text.split("\n");
    const tail = lines.pop();
    const { replies } = predict(sent, limit);
    const exact = script.kind !== "cut-destroy" && script.kind !== "slam";
    if (exact && tail !== "") return `${label}: reply stream ends mid-frame`;
    if (exact ? lines.length !== replies.length : lines.length > replies.length) {
      return `${label}: ${lines.length} replies, want ${exact ? "" : "at most "}${replies.length}: ${text.slice(0, 300)}`;
    }
    for (let i = 0; i < lines.length; i++) {
      const problem = mismatch(lines[i]!, replies[i]);
      if (problem) return `${label}: reply ${i}: ${problem}: ${lines[i]!.slice(0, 300)}`;
      checked.replies++;
      if (replies[i]!.error) checked.errors++;
    }
    return undefined;
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
}

async function writeAll(
  socket: Socket,
  bytes: Buffer,
  chunks: number[] | undefined,
  closed: Promise<void>,
): Promise<void> {
  const sizes = chunks ?? [bytes.length];
  let at = 0;
  for (let i = 0; i < sizes.length && at < bytes.length; i++) {
    if (socket.destroyed) return;
    const part = bytes.subarray(at, at + sizes[i]!);
    at += part.length;
    if (!socket.write(part)) await Promise.race([once(socket, "drain").catch(() => {}), closed]);
    if (chunks && i % 16 === 15) await tick();
  }
  if (at < bytes.length && !socket.destroyed) socket.write(bytes.subarray(at));
}

/** Run scripts from `gen` on `port` with bounded concurrency until `frames` more frames were sent. */
async function fuzz(
  port: number,
  gen: FrameGen,
  state: { frames: number; connections: number; problems: string[] },
  untilFrames: number,
): Promise<void> {
  const workers = Array.from({ length: CONCURRENCY }, async () => {
    while (state.frames < untilFrames) {
      const script = gen.script();
      const index = state.connections++;
      state.frames += script.frames;
      const problem = await runScript(
        port,
        LIMIT,
        script,
        `seed ${SEED} connection ${index} (${script.kind})`,
      );
      if (problem && state.problems.length < 20) state.problems.push(problem);
    }
  });
  await Promise.all(workers);
}

/** Frames at and past the default 16 MiB limit, against a server with that limit. */
function bigScripts(): { script: Script; what: string }[] {
  const padded = (id: number, size: number) => {
    const head = `{"jsonrpc":"2.0","id":${id},"method":"tasks.grade","params":{"answer":"`;
    const foot = `"}}`;
    return Buffer.from(`${head}${"a".repeat(size - head.length - foot.length)}${foot}\n`);
  };
  const chunks = (length: number) => Array.from({ length: Math.ceil(length / (64 * 1024)) }, () => 64 * 1024);
  const list = Buffer.from('{"jsonrpc":"2.0","id":2,"method":"tasks.list"}\n');
  const bye = Buffer.from('{"jsonrpc":"2.0","id":9,"method":"bye"}\n');
  const exact = Buffer.concat([padded(1, BIG_LIMIT), list]);
  const over = padded(1, BIG_LIMIT + 1);
  const endless = Buffer.alloc(20 * MiB, "z");
  const depth = 1_000_000;
  const deep = Buffer.concat([
    Buffer.from(
      `{"jsonrpc":"2.0","id":3,"method":"tasks.grade","params":{"answer":${"[".repeat(depth)}${"]".repeat(depth)}}}\n`,
    ),
    bye,
  ]);
  const word = "w".repeat(8 * MiB);
  const large = Buffer.from(
    `{"jsonrpc":"2.0","id":4,"method":"tasks.start","params":{"id":"${ECHO_TEMPLATE}","args":{"word":"${word}"}}}\n` +
      `{"jsonrpc":"2.0","id":5,"method":"tasks.grade","params":{"answer":"${word}"}}\n`,
  );
  return [
    {
      what: "a frame of exactly 16 MiB, then a small one",
      script: { kind: "graceful", stream: exact, frames: 2, chunks: chunks(exact.length) },
    },
    { what: "a frame of 16 MiB + 1", script: { kind: "graceful", stream: over, frames: 1 } },
    {
      what: "20 MiB without a newline",
      script: { kind: "graceful", stream: endless, frames: 1, chunks: chunks(endless.length) },
    },
    {
      what: "a 2 MiB answer nested a million levels deep",
      script: { kind: "graceful", stream: deep, frames: 2 },
    },
    {
      what: "an 8 MiB prompt and answer",
      script: {
        kind: "polite",
        stream: Buffer.concat([large, bye]),
        frames: 3,
        chunks: chunks(large.length + bye.length),
      },
    },
  ];
}

async function waitFor(what: string, condition: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("control channel under fuzzing", () => {
  it(`survives ${TOTAL_FRAMES}+ random, malformed and oversized frames (seed ${SEED})`, async () => {
    const env = fuzzEnv(await closedPort());
    const servers: HudServer[] = [];
    const loops: ReturnType<typeof controlLoop>[] = [];
    try {
      const server = await bind(env, { maxFrameBytes: LIMIT });
      servers.push(server);
      const big = await bind(env);
      servers.push(big);
      const control = controlLoop(server.url);
      const bigControl = controlLoop(big.url);
      loops.push(control, bigControl);

      // Real frames at the default limit.
      for (const { what, script } of bigScripts()) {
        const problem = await runScript(big.port, BIG_LIMIT, script, `default-limit server, ${what}`);
        expect(problem).toBeUndefined();
      }
      await waitFor("control round trips on the default-limit server", () => bigControl.rounds > 0);

      const gen = new FrameGen(mulberry32(SEED), LIMIT);
      const state = { frames: 0, connections: 0, problems: [] as string[] };
      let rounds = control.rounds;

      await fuzz(server.port, gen, state, CHECKPOINT_FRAMES);
      expect(state.problems).toEqual([]);
      await waitFor("control round trips during the first phase", () => control.rounds > rounds);
      rounds = control.rounds;
      const early = await settledMemory();

      await fuzz(server.port, gen, state, TOTAL_FRAMES);
      expect(state.problems).toEqual([]);
      expect(state.frames).toBeGreaterThanOrEqual(TOTAL_FRAMES);
      expect(checked.replies).toBeGreaterThan(TOTAL_FRAMES / 2);
      await waitFor("control round trips during the second phase", () => control.rounds > rounds);
      const late = await settledMemory();

      // Memory does not grow with the number of frames: 8,000 more frames, same heap (± noise).
      const heapGrowth = (late.heapUsed - early.heapUsed) / MiB;
      const bufferGrowth = (late.arrayBuffers - early.arrayBuffers) / MiB;
      expect(heapGrowth, `heap grew ${heapGrowth.toFixed(1)} MiB`).toBeLessThan(2);
      expect(bufferGrowth, `buffers grew ${bufferGrowth.toFixed(1)} MiB`).toBeLessThan(2);

      // The well-behaved clients never saw an error; then every session is gone.
      await Promise.all(loops.splice(0).map((loop) => loop.stop()));
      await waitFor("sessions to drain", () => server.sessionCount === 0 && big.sessionCount === 0);

      // Both servers still serve a fresh connection.
      for (const target of servers) {
        await using client = await connect(target.url, { forwarders: false, readyTimeout: 10 });
        expect((await client.startTask(ECHO_TEMPLATE, { word: "fresh" })).prompt).toBe("say fresh");
        expect((await client.grade({ answer: "fresh" })).score).toBe(1);
      }
      console.log(
        `fuzz seed ${SEED}: ${state.frames} frames on ${state.connections} connections, ` +
          `${checked.replies} replies checked (${checked.errors} errors), ${control.rounds} control round trips, heap ${heapGrowth >= 0 ? "+" : ""}${heapGrowth.toFixed(2)} MiB`,
      );
    } finally {
      await Promise.allSettled(loops.map((loop) => loop.stop()));
      await Promise.allSettled(servers.map((s) => s.close()));
    }
  }, 120_000);
});
