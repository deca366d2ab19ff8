// Benchmark: a DockerRuntime lease (create → serving → removed) next to a bare `run --rm` of the same image doing
// the same start-up work, both through the engine API; and 20 concurrent container rollouts next to 20 bare runs.
import { connect } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { DockerRuntime, rollout, Task, Taskset } from "hud";
import { containerSpec } from "../src/runtime/docker/container-spec.ts";
import {
  createContainer,
  inspectContainer,
  removeContainer,
  startContainer,
} from "../src/runtime/docker/containers.ts";
import { EngineClient } from "../src/runtime/docker/engine-client.ts";
import { ExitEvents } from "../src/runtime/docker/exit-events.ts";
import { parseRunArgs } from "../src/runtime/docker/run-args.ts";
import { engineAnswers, testImage } from "../test/support/container-image.ts";
import { type Figure, interleaved, median } from "./measure.ts";

/** What the image's server imports before it serves; the floor's container imports it and exits. */
const IMPORT_ONLY = [
  "node",
  "--conditions=hud-source",
  "--input-type=module",
  "-e",
  "await import('/app/envs/quickstart/env.ts')",
];

/**
 * `docker run --rm` over the API, with the container the runtime would create (control port published on
 * loopback) but running only the start-up work: create, start, wait for the exit, remove. The exit comes
 * from the event stream, as in the runtime (Podman's wait endpoint polls in a busy loop, which would slow
 * the floor down).
 */
async function bareRun(engine: EngineClient, exits: ExitEvents, image: string): Promise<void> {
  const spec = containerSpec({
    plan: { image },
    port: 8765,
    runArgs: parseRunArgs([]),
    env: {},
    slug: "floor",
  });
  const id = await createContainer(engine, { ...spec, Cmd: IMPORT_ONLY });
  const watch = await exits.watch(id);
  try {
    await startContainer(engine, id);
    const code = await watch.exited;
    if (code !== 0) throw new Error(`the floor's container exited with code ${code}`);
  } finally {
    watch.stop();
    await removeContainer(engine, id);
  }
}

/** The same lifecycle as a lease, by hand and with nothing else: create, start, port accepts, force-remove. */
async function byHand(engine: EngineClient, image: string): Promise<void> {
  const spec = containerSpec({
    plan: { image },
    port: 8765,
    runArgs: parseRunArgs([]),
    env: {},
    slug: "hand",
  });
  const id = await createContainer(engine, spec);
  try {
    await startContainer(engine, id);
    const { hostPort } = await inspectContainer(engine, id, "8765/tcp");
    while (!(await accepts(Number(hostPort)))) await sleep(10);
  } finally {
    await removeContainer(engine, id);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

async function msOf(op: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await op();
  return performance.now() - start;
}

const answer = async (run: { prompt: unknown; trace: { content?: unknown } }) => {
  const [, letter, word] = /letter '(.)' appear in '([^']+)'/.exec(String(run.prompt)) ?? [];
  run.trace.content = String([...(word ?? "")].filter((c) => c === letter).length);
};

export async function containerAcquisition(options: { runs: number; concurrent: number }): Promise<Figure[]> {
  const engine = new EngineClient();
  if (!(await engineAnswers(engine))) {
    console.log("container: skipped (no container engine answers; set DOCKER_HOST)");
    return [];
  }
  const image = await testImage(engine);
  const exits = new ExitEvents(engine);
  const runtime = new DockerRuntime(image);
  const task = new Task({ env: "letters", id: "count", args: { word: "strawberry", letter: "r" } });
  const results = await interleaved(options.runs, {
    floor: () => msOf(() => bareRun(engine, exits, image)),
    byHand: () => msOf(() => byHand(engine, image)),
    lease: () =>
      msOf(async () => {
        const lease = await runtime(task);
        await lease[Symbol.asyncDispose]();
      }),
  });
  const full: number[] = [];
  for (let i = 0; i < options.runs; i++)
    full.push(await msOf(() => rollout(task, answer, { runtime, jobId: "bench" })));

  const rows = Array.from(
    { length: options.concurrent },
    (_, i) => new Task({ ...task.toJSON(), slug: `c${i}` }),
  );
  let scored = 0;
  const together = await msOf(async () => {
    const job = await new Taskset("bench", rows).run(answer, { runtime, maxConcurrent: options.concurrent });
    scored = job.runs.filter((run) => run.reward === 1).length;
  });
  const bareTogether = await msOf(() => Promise.all(rows.map(() => bareRun(engine, exits, image))));
  const ms = (values: number[]) => values.map((v) => v.toFixed(0)).join(" ");
  const completed = scored === options.concurrent;
  return [
    {
      name: "container lease",
      value: results.lease.median,
      floor: results.floor.median,
      floorName: "bare run --rm importing the env",
      unit: "ms",
      better: "lower",
      target: 1.3,
      notes: [
        `a whole rollout over a fresh container: ${median(full).toFixed(0)} ms`,
        `the same lifecycle by hand (create, start, port accepts, force-remove): ${results.byHand.median.toFixed(0)} ms, ` +
          `the lease ${(results.lease.median / results.byHand.median).toFixed(2)}× that`,
        `samples ms: lease ${ms(results.lease.samples)}, floor ${ms(results.floor.samples)}`,
        `${options.concurrent} concurrent container rollouts: ${scored}/${options.concurrent} scored 1 in ` +
          `${(together / 1000).toFixed(1)} s (${options.concurrent} concurrent bare runs: ` +
          `${(bareTogether / 1000).toFixed(1)} s): ${completed ? "PASS" : "MISS"}`,
      ],
    },
  ];
}
