// SpanFileSink: one span line per recorded step in <dir>/<trace id>.jsonl, whole lines even under concurrency.
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Environment } from "../environment/environment.ts";
import { Task } from "../environment/task.ts";
import { Run } from "../eval/run.ts";
import { Taskset } from "../eval/taskset.ts";
import { Trace } from "../eval/trace.ts";
import { normalizeTraceId, type Span } from "./span.ts";
import { SpanFileSink, spanFilePath } from "./span-file-sink.ts";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "hud-spans-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function spans(path: string): Promise<Span[]> {
  const text = await readFile(path, "utf8");
  expect(text.endsWith("\n")).toBe(true);
  return text
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as Span);
}

const task = new Task({ env: "e", id: "a" });

describe("SpanFileSink", () => {
  it("appends each step as it is recorded, steps recorded before the rollout included", async () => {
    const out = join(dir, "spans");
    const sink = new SpanFileSink(out);
    const run = new Run({ task, trace: new Trace("run-1"), jobId: "j" });
    run.trace.record({ source: "task", task_call: { phase: "setup", name: "a", arguments: {}, result: {} } });
    sink.rolloutStarted(run);
    run.trace.record({ source: "agent", content: "héllo" });
    const path = join(out, `${normalizeTraceId("run-1")}.jsonl`);
    expect(spanFilePath(out, "run-1")).toBe(path);
    expect((await spans(path)).map((s) => s.name)).toEqual(["step.task", "step.agent"]);
    run.trace.record({ source: "system", error: "boom" });
    sink.rolloutFinished(run);
    run.trace.record({ source: "system", error: "after the end" });
    const lines = await spans(path);
    expect(lines.map((s) => [s.name, s.status_code, s.status_message])).toEqual([
      ["step.task", "OK", null],
      ["step.agent", "OK", null],
      ["step.system", "ERROR", "boom"],
    ]);
    expect(lines[1]!.attributes).toEqual({
      "hud.schema": "hud.step.v1",
      "hud.task_run_id": "run-1",
      "hud.payload": run.trace.steps[1],
    });
    // Python's separators and ensure_ascii=False.
    const raw = (await readFile(path, "utf8")).split("\n")[1]!;
    expect(raw.startsWith('{"name": "step.agent", "trace_id": "')).toBe(true);
    expect(raw).toContain('"content": "héllo"');
  });

  it("appends to an existing file", async () => {
    const path = spanFilePath(dir, "run-1");
    await writeFile(path, '{"earlier": true}\n');
    const sink = new SpanFileSink(dir);
    const run = new Run({ task, trace: new Trace("run-1"), jobId: "j" });
    sink.rolloutStarted(run);
    run.trace.record({ source: "user" });
    sink.rolloutFinished(run);
    expect((await readFile(path, "utf8")).split("\n").filter(Boolean)).toHaveLength(2);
  });

  it("is off without a directory, and reads HUD_TELEMETRY_LOCAL_DIR", () => {
    expect(SpanFileSink.fromEnv({})).toBeUndefined();
    expect(SpanFileSink.fromEnv({ HUD_TELEMETRY_LOCAL_DIR: dir })?.dir).toBe(dir);
    const off = new SpanFileSink("");
    expect(off.enabled).toBe(false);
    const run = new Run({ task, trace: new Trace("x"), jobId: "j" });
    off.rolloutStarted(run);
    run.trace.record({ source: "user" });
    off.rolloutFinished(run);
  });

  it("warns instead of failing when it cannot write", async () => {
    const blocker = join(dir, "file");
    await writeFile(blocker, "");
    const warnings: string[] = [];
    const onWarning = (w: Error) => warnings.push(w.message);
    process.on("warning", onWarning);
    try {
      const sink = new SpanFileSink(join(blocker, "spans"));
      const run = new Run({ task, trace: new Trace("x"), jobId: "j" });
      sink.rolloutStarted(run);
      run.trace.record({ source: "user" });
      sink.rolloutFinished(run);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off("warning", onWarning);
    }
    expect(warnings).toEqual([expect.stringContaining(`span files in ${join(blocker, "spans")}`)]);
  });

  it("keeps every line whole and in order with 20 rollouts recording at once", async () => {
    const env = new Environment({ name: "spans" });
    const echo = env.template("echo", async function* ({ n }: { n: number }) {
      yield `say ${n}`;
      yield 1;
    });
    const rows = Array.from({ length: 30 }, (_, n) => echo({ n }));
    const big = "x".repeat(70_000);
    const sink = new SpanFileSink(dir);
    const job = await new Taskset("spans", rows).run(
      async (run) => {
        for (let i = 0; i < 15; i++) {
          run.trace.record({ source: "agent", content: `${run.trace_id}:${i}:${i % 5 === 0 ? big : ""}` });
          await new Promise((resolve) => setImmediate(resolve));
        }
        run.trace.content = "done";
      },
      { maxConcurrent: 20, observer: sink },
    );
    expect(job.runs).toHaveLength(30);
    const files = await readdir(dir);
    expect(files.sort()).toEqual(job.runs.map((r) => `${normalizeTraceId(r.trace_id!)}.jsonl`).sort());
    for (const run of job.runs) {
      const lines = await spans(spanFilePath(dir, run.trace_id!));
      expect(lines.map((s) => s.attributes["hud.task_run_id"])).toEqual(lines.map(() => run.trace_id));
      expect(lines.map((s) => (s.attributes["hud.payload"] as { step_id: number }).step_id)).toEqual(
        run.trace.steps.map((s) => s.step_id),
      );
      const agentSteps = lines.filter((s) => s.name === "step.agent");
      expect(
        agentSteps.map((s) => (s.attributes["hud.payload"] as { content: string }).content.split(":")[0]),
      ).toEqual(agentSteps.map(() => run.trace_id));
    }
  });
});
